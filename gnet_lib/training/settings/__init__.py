"""What a run is asked to do: the recipes, the run's configuration (``TrainConfig``, the one source of
defaults and validation), the choices it offers, where results and runs live, and the environment
variables read. The bottom of the training layers: it imports only :mod:`gnet_lib.core`."""
