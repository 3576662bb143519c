"""A campaign's finished files handed over the moment they exist: one tar archive, rewritten whole.

A GPU machine returns only what its command left in an output folder (at most 8 files of at
most 16 MiB each), and a command killed at its time limit writes nothing afterwards. So after
each result file the campaign rewrites ``results.tar`` in each delivery folder with every file
delivered so far, through a temporary file and an atomic rename: at any moment the archive is
complete and readable. Members are named ``results/<path in the results folder>``, so
``tar -xf results.tar`` in a checkout puts them where the book reads them. A weights file
(``.pt``, googlenet's 12 MB in fp16) is copied beside the archive under its own name instead,
so that the archive stays well under the size limit; it belongs in ``results/weights/``.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path

ARCHIVE = "results.tar"


class Delivery:
    """Files of ``results_dir`` delivered into ``folders`` (each gets ``results.tar``). The files of
    an archive already in one of the folders (an earlier command's, unpacked into the results
    folder) are delivered again with the new ones, so the latest archive holds them all."""

    def __init__(self, folders: Sequence[Path], results_dir: Path) -> None:
        self.folders = [Path(f) for f in folders]
        self.results_dir = Path(results_dir)
        self.files: dict[str, Path] = {}
        for folder in self.folders:
            if (folder / ARCHIVE).is_file():
                with tarfile.open(folder / ARCHIVE) as tar:
                    for name in tar.getnames():
                        source = self.results_dir / Path(name).relative_to("results")
                        if source.is_file():
                            self.files[name] = source

    def add(self, path: Path) -> None:
        """Deliver ``path`` (a file inside the results folder): a weights file beside the archive,
        anything else into the archive, with everything delivered before."""
        path = Path(path)
        if path.suffix != ".pt":
            self.files[(Path("results") / path.relative_to(self.results_dir)).as_posix()] = path
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{path.name}.partial"
            if path.suffix == ".pt":
                shutil.copyfile(path, partial)
                os.replace(partial, folder / path.name)
                continue
            with tarfile.open(partial, "w") as tar:
                for name, source in sorted(self.files.items()):
                    tar.add(source, arcname=name)
            os.replace(partial, folder / ARCHIVE)
