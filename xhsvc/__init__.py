"""xhsvc: the after-sales service desk of a storage-systems vendor, run from the terminal."""

__version__ = "0.1.0"
