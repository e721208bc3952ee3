#!/usr/bin/env python3
"""tests/png-colours.py PNG COLOUR... - how many pixels of a PNG screenshot have each
colour (#rrggbb, within a small tolerance for anti-aliasing), one line per colour:
"#rrggbb N".  Reads 8-bit RGB/RGBA non-interlaced PNGs (what headless Chromium
writes) with zlib alone, so the report test needs nothing beyond python3.
Exit status 0, or 2 when the file is not such a PNG."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("only 8-bit RGB/RGBA, non-interlaced")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) < 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    try:
        width, height, bpp, rows = read_png(sys.argv[1])
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print("png-colours: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    want = [(c, tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))) for c in sys.argv[2:]]
    counts = {c: 0 for c, _ in want}
    for line in rows:
        for x in range(width):
            px = line[x * bpp:x * bpp + 3]
            for c, rgb in want:
                if all(abs(px[k] - rgb[k]) <= 6 for k in range(3)):
                    counts[c] += 1
    for c, _ in want:
        print(c, counts[c])
    return 0


if __name__ == "__main__":
    sys.exit(main())
