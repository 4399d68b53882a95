"""readlist: a curated reading list kept as data, published as a site."""

__version__ = "0.1.0"
