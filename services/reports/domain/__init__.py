"""The reports' rules: a visit as its events tell it (:mod:`.visits`), a counter as the live hall
shows it (:mod:`.stations`), and the SKM survey's index (:mod:`.skm`). Standard library only."""
