#!/usr/bin/env python3
"""Read one UEFI variable out of an OVMF variable store file (OVMF_VARS*.fd
as QEMU's pflash leaves it after a run).

usage: efi-var.py FILE NAME GUID [--attrs]

Prints the variable's data (raw bytes), or with --attrs its attributes as
0x%08x. Exit status 1, with the reason on stderr, when the file is no
firmware volume holding a variable store or the variable is not there.

The layout is EDK II's (MdeModulePkg/Include/Guid/VariableFormat.h): the
firmware volume header (PI spec vol. 3 section 3.2.1, EFI_FIRMWARE_VOLUME_
HEADER: signature "_FVH" at offset 40, header length at 48), then the
variable store header (signature GUID, size, format 0x5a, state 0xfe), then
variables one after another, each at a 4-byte boundary: a header starting
0x55AA, the UTF-16 name, the data. A store signed with the authenticated
GUID has the longer header (monotonic count, time stamp, key index). An
update writes a new copy and marks the old one deleted by clearing bits
of its state, so the live copy has state VAR_ADDED (0x3f), or 0x3e while
it is in deleted transition and no newer copy was completed.
"""
import struct
import sys
import uuid

FVH_SIGNATURE = b"_FVH"
VARIABLE_GUID = uuid.UUID("ddcf3616-3275-4164-98b6-fe85707ffe7d")
AUTH_VARIABLE_GUID = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
STORE_HEADER = 28  # GUID, u32 size, u8 format, u8 state, u16 + u32 reserved
START_ID = 0x55AA
VAR_ADDED = 0x3F
VAR_IN_DELETED_TRANSITION = 0xFE


class BadStore(Exception):
    pass


def variables(blob):
    """Yield (name, guid, state, attrs, data) for every variable header."""
    if len(blob) < 56 or blob[40:44] != FVH_SIGNATURE:
        raise BadStore("no firmware volume header (no _FVH at offset 40)")
    store = struct.unpack_from("<H", blob, 48)[0]
    if store + STORE_HEADER > len(blob):
        raise BadStore("firmware volume header length %d past the end" % store)
    sig = uuid.UUID(bytes_le=bytes(blob[store:store + 16]))
    size = struct.unpack_from("<I", blob, store + 16)[0]
    if sig == AUTH_VARIABLE_GUID:
        fmt, hdr_len = "<HBBIQ16sIII16s", 60
    elif sig == VARIABLE_GUID:
        fmt, hdr_len = "<HBBIII16s", 32
    else:
        raise BadStore("no variable store after the volume header "
                       "(signature %s)" % sig)
    end = min(store + size, len(blob))
    off = store + STORE_HEADER
    while off + hdr_len <= end:
        f = struct.unpack_from(fmt, blob, off)
        if f[0] != START_ID:
            break
        state, attrs = f[1], f[3]
        name_size, data_size, guid = f[-3], f[-2], f[-1]
        name_at = off + hdr_len
        data_at = name_at + name_size
        if data_at + data_size > end:
            raise BadStore("variable at offset %#x runs past the store" % off)
        name = blob[name_at:data_at].decode("utf-16-le", "replace")
        yield (name.rstrip("\0"), uuid.UUID(bytes_le=bytes(guid)), state,
               attrs, blob[data_at:data_at + data_size])
        off = (data_at + data_size + 3) & ~3


def find(blob, name, guid):
    """The live copy's (attrs, data), or None."""
    live = None
    for vname, vguid, state, attrs, data in variables(blob):
        if vname != name or vguid != guid:
            continue
        if state == VAR_ADDED:
            live = (attrs, data)
        elif state == VAR_ADDED & VAR_IN_DELETED_TRANSITION and live is None:
            live = (attrs, data)
    return live


def main(argv):
    args = [a for a in argv[1:] if a != "--attrs"]
    if len(args) != 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    path, name = args[0], args[1]
    try:
        guid = uuid.UUID(args[2])
        with open(path, "rb") as f:
            blob = f.read()
        found = find(blob, name, guid)
    except (OSError, ValueError, BadStore) as e:
        sys.stderr.write("efi-var.py: %s: %s\n" % (path, e))
        return 1
    if found is None:
        sys.stderr.write("efi-var.py: %s: no live variable %s-%s\n"
                         % (path, name, guid))
        return 1
    if "--attrs" in argv:
        print("0x%08x" % found[0])
    else:
        sys.stdout.buffer.write(found[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
