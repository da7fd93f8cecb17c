"""The reports' rules: a visit as its events tell it (:mod:`.visits`), a counter as the live hall
shows it (:mod:`.stations`), and the SKM survey's form (:mod:`.skm_form`) and index (:mod:`.skm`).
Standard library only."""
