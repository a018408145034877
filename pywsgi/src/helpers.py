"""pywsgi's Python half: the parts of the environ that are plain Python classes."""


class FileWrapper:
    """wsgi.file_wrapper (PEP 3333, "Optional Platform-Specific File Handling")."""

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration
