"""motcua: an electronic one-stop shop (một cửa điện tử) for Vietnamese public administration."""

__version__ = "0.1.0"
