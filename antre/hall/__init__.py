"""The hall as a file: the model (:mod:`antre.hall.model`, standard library only, so that every
service's pure domain and the simulator can use it) and its validating loader
(:mod:`antre.hall.load`)."""
