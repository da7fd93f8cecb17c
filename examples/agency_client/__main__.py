"""``python -m examples.agency_client --url URL --key KEY --agency dukcapil --service ktp-el``:
book the first free session for a citizen, read the booking back, and cancel it (a dry run of an
agency's integration against a hall)."""

from __future__ import annotations

import argparse
import json
import sys

from examples.agency_client.client import AgencyClient, AntreError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the hall's ticketing address")
    parser.add_argument("--key", required=True, help="the agency's API key")
    parser.add_argument("--agency", required=True, help="the agency's code in the hall file")
    parser.add_argument("--service", required=True)
    parser.add_argument("--nik", default="7471014508900003")
    parser.add_argument("--name", default="Wa Ode Uji")
    parser.add_argument("--phone", default="0812-3456-7890")
    args = parser.parse_args(argv)
    with AgencyClient(args.url, args.key, args.agency) as client:
        try:
            free = client.first_free(args.service)
            if free is None:
                print("Tidak ada sesi kosong / no free session", file=sys.stderr)
                return 1
            day, session = free
            made = client.book(args.service, day, session, nik=args.nik, name=args.name, phone=args.phone)
            print(json.dumps({"booked": made}, ensure_ascii=False))
            print(json.dumps({"read": client.booking(made["code"])}, ensure_ascii=False))
            print(json.dumps({"cancelled": client.cancel(made["code"], nik=args.nik)}, ensure_ascii=False))
        except AntreError as error:
            print(error, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
