"""The digital twin: a hall day simulated with the live system's own rules.

The kernel (:mod:`sim.kernel`) is a heap and a virtual clock; :mod:`sim.model` drives the pure
domains of ticketing and counters with it; :mod:`sim.demand` reads who comes and when;
:mod:`sim.stats` turns days into figures with confidence intervals; :mod:`sim.cli` asks the
questions. See docs/sim.md.
"""

from antre import build as _build

# Before any of this package's modules loads: a compiled rule then comes from its C extension,
# or from its source when ANTRE_PURE is set or the extension cannot be used (antre/build.py).
_build.install()
