"""Reading ESC/POS bytes back, as a printer would: the 2D-code commands (``GS ( k``) with their
length-prefixed data, and the text printed between commands. Just enough of the command set that
python-escpos writes for a ticket; anything unknown fails loudly instead of being skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS = 0x1B, 0x1D
QR = 0x31  # cn: the QR code symbol
STORE, PRINT = 0x50, 0x51  # fn 80: store the data in the symbol area; fn 81: print it

# Fixed-length commands: the introducer, the command byte, and how many parameter bytes follow.
_FIXED = {
    (ESC, ord("@")): 0,  # initialise
    (ESC, ord("a")): 1,  # justification
    (ESC, ord("E")): 1,  # bold
    (ESC, ord("-")): 1,  # underline
    (ESC, ord("M")): 1,  # font
    (ESC, ord("t")): 1,  # character code table
    (ESC, ord("{")): 1,  # upside down
    (ESC, ord("d")): 1,  # feed n lines
    (ESC, ord("!")): 1,  # print mode
    (ESC, ord("G")): 1,  # double strike
    (GS, ord("!")): 1,  # character size
    (GS, ord("B")): 1,  # reverse (white on black)
    (GS, ord("b")): 1,  # smoothing
    (GS, ord("|")): 1,  # density
}


@dataclass
class Parsed:
    text: str = ""
    codes: list[tuple[int, int, bytes]] = field(default_factory=list)  # (cn, fn, data after m)
    commands: list[bytes] = field(default_factory=list)
    cut: bool = False
    qr_align: int | None = None  # the justification (ESC a n) in force when the QR printed

    def qr_data(self) -> list[str]:
        """What each stored QR symbol says (fn 80 carries ``m`` = '0' then the data)."""
        return [data.decode() for cn, fn, data in self.codes if cn == QR and fn == STORE]

    def qr_printed(self) -> bool:
        return any(cn == QR and fn == PRINT for cn, fn, _ in self.codes)


def parse(raw: bytes) -> Parsed:
    out = Parsed()
    text = bytearray()
    align = 0
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte not in (ESC, GS):
            text.append(byte)
            i += 1
            continue
        command = raw[i + 1]
        if (byte, command) == (GS, ord("(")) and raw[i + 2] == ord("k"):
            length = raw[i + 3] | raw[i + 4] << 8  # pL pH: the bytes after them
            body = raw[i + 5 : i + 5 + length]
            assert len(body) == length, f"truncated GS ( k at {i}"
            cn, fn = body[0], body[1]
            data = body[3:] if fn in (STORE, PRINT) else body[2:]  # fn 80/81 carry m first
            out.codes.append((cn, fn, bytes(data)))
            if cn == QR and fn == PRINT:
                out.qr_align = align
            i += 5 + length
        elif (byte, command) == (GS, ord("V")):  # cut: GS V m, or GS V m n for m >= 65
            mode = raw[i + 2]
            width = 4 if mode >= 65 else 3
            out.cut = True
            out.commands.append(raw[i : i + width])
            i += width
        elif (byte, command) in _FIXED:
            width = 2 + _FIXED[(byte, command)]
            if (byte, command) == (ESC, ord("a")):
                align = raw[i + 2]
            out.commands.append(raw[i : i + width])
            i += width
        else:
            raise AssertionError(f"unknown ESC/POS command {raw[i : i + 3]!r} at {i}")
    out.text = text.decode("cp437")
    return out
