"""``python -m tests.support.clocked_service <uvicorn arguments>``: a service under uvicorn whose
clock is the test's hall clock (:class:`tests.support.clock.FileClock` on the file named by
``ANTRE_TEST_CLOCK_FILE``), exactly as production runs it otherwise.

Every service takes its time from the clock given to ``Runtime.build`` (domain rules, units of
work, the outbox relay and the periodic jobs all read that one clock), so handing the file clock
to it there moves the whole service, and nothing else needs to know.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from antre.runtime import Runtime
from tests.support.clock import CLOCK_FILE_ENV, FileClock


def use_clock(clock: Callable[[], Any]) -> None:
    build = Runtime.build  # bound to the class

    def clocked(*args: Any, **kwargs: Any) -> Runtime:
        kwargs.setdefault("clock", clock)
        return build(*args, **kwargs)

    Runtime.build = clocked  # type: ignore[method-assign]  # this process's services take the test's clock


def main() -> None:
    use_clock(FileClock(Path(os.environ[CLOCK_FILE_ENV])))
    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn.main()


if __name__ == "__main__":
    main()
