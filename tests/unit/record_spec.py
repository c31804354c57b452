#!/usr/bin/env python3
"""docs/record.md, implemented independently: checks every checksum of a
record file the way the document defines them, and can append a record
(of any type) the way the document says a writer must.

usage: record_spec.py check FILE          -> "ok N records" or an error, exit 1
       record_spec.py append FILE TYPE HEX -> appends one record
"""
import struct
import sys

POLY = 0x82F63B78
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (POLY if c & 1 else 0)
    TABLE.append(c)


def crc_bytes(crc, data):
    """The CRC32C register over bytes (no inversion)."""
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def crc32c(data):
    return crc_bytes(0xFFFFFFFF, data) ^ 0xFFFFFFFF


def rol(v, s):
    return ((v << s) | (v >> (32 - s))) & 0xFFFFFFFF


def record_checksum(hdr, payload):
    lanes = [0xFFFFFFFF] * 4
    lanes[0] = crc_bytes(lanes[0], hdr[0:8])
    lanes[1] = crc_bytes(lanes[1], hdr[12:16])
    n = len(payload) // 8
    for i in range(n):
        lanes[i % 4] = crc_bytes(lanes[i % 4], payload[8 * i:8 * i + 8])
    t = n % 4
    lanes[t] = crc_bytes(lanes[t], payload[8 * n:])
    return (lanes[0] ^ rol(lanes[1], 8) ^ rol(lanes[2], 16) ^ rol(lanes[3], 24)) ^ 0xFFFFFFFF


def walk(buf):
    if buf[:8] != b"MEMHPREC":
        raise SystemExit("bad magic")
    version, abi, hsize = struct.unpack_from("<HHI", buf, 8)
    if version != 1 or abi != 1:
        raise SystemExit("version %d abi %d" % (version, abi))
    if crc32c(buf[:hsize - 4]) != struct.unpack_from("<I", buf, hsize - 4)[0]:
        raise SystemExit("header checksum")
    off, idx = hsize, 0
    first = None
    while off < len(buf):
        length, typ, flags, csum, seq = struct.unpack_from("<IHHII", buf, off)
        payload = buf[off + 16:off + 16 + length]
        if len(payload) != length:
            raise SystemExit("offset %d: short record" % off)
        if record_checksum(buf[off:off + 16], payload) != csum:
            raise SystemExit("offset %d: checksum" % off)
        if seq != idx & 0xFFFFFFFF:
            raise SystemExit("offset %d: sequence" % off)
        if first is None:
            first = typ
        off += 16 + length
        idx += 1
    # a rotated set's part (docs/record.md "Rotation"): 0, 0 in a single file
    part, session = struct.unpack_from("<IQ", buf, 208)
    return idx, part, session, first


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    buf = open(path, "rb").read()
    n, part, session, first = walk(buf)
    if cmd == "check":
        if part:
            print("ok %d records, part %d of session %016x, first record type %d"
                  % (n, part, session, first))
        else:
            print("ok %d records" % n)
        return
    typ, payload = int(sys.argv[3]), bytes.fromhex(sys.argv[4])
    hdr = bytearray(struct.pack("<IHHII", len(payload), typ, 0, 0, n & 0xFFFFFFFF))
    struct.pack_into("<I", hdr, 8, record_checksum(bytes(hdr), payload))
    with open(path, "ab") as f:
        f.write(bytes(hdr) + payload)


if __name__ == "__main__":
    main()
