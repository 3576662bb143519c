"""The version of gnet_lib, recorded in every result file."""

__version__ = "0.3.0"
