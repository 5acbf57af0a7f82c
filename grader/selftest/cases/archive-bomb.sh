# Attack: archives that unpack to far more than a submission is: a .zip and a
# .tar.gz of about 2 MB whose one file (named like a lab file) is 2 GiB of
# zeros, the same .zip with headers that say the file is 1 KiB (so that only
# a limit on what is written stops it), and a .zip of 5,000 tiny files. Once they were unpacked in full
# before anything was checked (2 GiB on the host's disk).
# Must happen: the grader refuses each before unpacking: exit status 2 (bad
# input, no report) and a message about the limit, within seconds; its
# scratch folders stay under a few MiB and the disk does not grow while it
# runs. The bombs are written streaming, so the test itself never holds
# 2 GiB in memory or on disk.
run() {
  local bombs=$work/bombs
  mkdir -p "$bombs"
  python3 - "$bombs" <<'PY' || { prepare_failed archive-bomb "could not write the bombs"; return; }
import io, struct, sys, tarfile, zipfile
folder = sys.argv[1]
size = 2 << 30
name = "labs/01-fifo/src/fifo_io.cpp"
with zipfile.ZipFile(folder + "/zeros.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    with archive.open(name, "w", force_zip64=True) as entry:
        chunk = bytes(1 << 20)
        for _ in range(size // len(chunk)):
            entry.write(chunk)

class Zeros(io.RawIOBase):
    """size bytes of zeros, read as a file, never held."""
    def __init__(self, n):
        self.left = n
    def readable(self):
        return True
    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n

with tarfile.open(folder + "/zeros.tar.gz", "w:gz", compresslevel=9) as archive:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    archive.addfile(info, io.BufferedReader(Zeros(size), 1 << 20))

# Just under 2 GiB: no zip64 fields, so that two 32-bit sizes make the lie.
liar = folder + "/liar.zip"
with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    with archive.open(name, "w") as entry:
        chunk = bytes(1 << 20)
        for _ in range(size // len(chunk) - 1):
            entry.write(chunk)
with zipfile.ZipFile(liar) as archive:
    local = archive.getinfo(name).header_offset
with open(liar, "r+b") as archive:
    data = bytearray(archive.read())
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, 1024)  # the local header's uncompressed size
    struct.pack_into("<I", data, data.rindex(b"PK\x01\x02") + 24, 1024)  # the central directory's
    archive.seek(0)
    archive.write(data)

with zipfile.ZipFile(folder + "/many.zip", "w", zipfile.ZIP_DEFLATED) as archive:
    for i in range(5000):
        archive.writestr(f"notes/{i:04d}.txt", "x")
PY
  local bomb
  for bomb in zeros.zip zeros.tar.gz liar.zip many.zip; do
    max_seconds=30 max_scratch_mib=8 max_disk_growth_mib=256
    # The liar can only be caught while it is written: the grader stops at its
    # limit on what it writes (--max-archive-mb, 50 MiB by default) and removes
    # what it wrote, so up to that much may show for a moment, never 2 GiB.
    [ $bomb = liar.zip ] && max_scratch_mib=64
    if [ $bomb = many.zip ]; then
      grade "archive-bomb/$bomb" exit=2 "entries" --submission "$bombs/$bomb" --labs 01 --public-only
    else
      grade "archive-bomb/$bomb" exit=2 "limit|more than [0-9.]+ ?[KMG]i?B|too large" \
        --submission "$bombs/$bomb" --labs 01 --public-only
    fi
  done
  rm -rf "$bombs"
}
