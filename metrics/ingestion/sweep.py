"""Stored uploads belong to a data load or are deleted: the sweep for those left behind.

An upload is stored before its columns are mapped. A person who closes the tab, a file the
mapping page refused before the fix that deletes it, or a worker killed mid-rejection leaves a
copy no load owns; beat runs this sweep so such copies never fill the disk.
"""

import logging
import time
from pathlib import Path

from celery import shared_task
from django.conf import settings

from metrics.models import DataLoad

logger = logging.getLogger(__name__)

# Longer than anyone takes to map the columns of an upload they mean to load.
ABANDONED_AFTER_SECONDS = 24 * 60 * 60


def uploads_sweep(*, older_than_seconds: int = ABANDONED_AFTER_SECONDS) -> list[str]:
    """Delete stored uploads no waiting or successful load owns, once old enough; return them."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    owned = set(
        DataLoad.objects.exclude(status=DataLoad.Status.FAILED)
        .exclude(stored_name="")
        .values_list("stored_name", flat=True)
    )
    removed = []
    for path in folder.iterdir():
        if path.is_file() and path.name not in owned and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    if removed:
        logger.info("Removed %d stored uploads no data load owns", len(removed))
    return removed


@shared_task
def scheduled_uploads_sweep_task() -> None:
    uploads_sweep()
