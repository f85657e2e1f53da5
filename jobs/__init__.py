"""Jobs: work a Celery worker does for a database row, done exactly once whatever breaks.

The row is the truth; a Celery message only says "work on job N". A message may arrive twice
(late acknowledgement), late (a retry) or never (Redis lost it), and a worker may die at any
moment. So:

- **claim**: a worker acts only on a job it claimed with a conditional UPDATE, which writes an
  attempt token (its Celery delivery and a random part) into `claim`. Every later write of
  that worker filters on the token (`Attempt.update`, `Attempt.finish`, `Attempt.fail`), so a
  duplicate or superseded worker changes nothing. A Celery retry (after the database or the
  broker failed) may take the job back from its own previous delivery.
- **heartbeat**: while the work runs a thread writes `heartbeat_at` every few seconds, whatever
  the work is doing; `Attempt.checkpoint()` lets long work stop early once it lost the job.
- **watchdog**: every minute beat sweeps each kind: a running job whose heartbeat stopped is
  queued again (or failed after `max_attempts`), a queued job whose message is old is sent again.
- **retries**: every task is acknowledged late and retried, with backoff, on errors that pass by
  themselves (`TASK_OPTIONS`); a claim refused by a one-at-a-time constraint is retried shortly.
- **failure wording**: a marketer reads the same sentences for every kind (`jobs.wording`).

A new kind of job plugs in with four pieces:

1. A model that subclasses `jobs.models.Job` (status, claim, attempts, sent_at, heartbeat and
   start/finish times), plus whatever the work needs; then `makemigrations`.
2. `<app>/jobs.py` registering its kind (found at start-up, like `admin.py`)::

       DIGEST_SENDS = register(JobKind(
           model=DigestSend, task="digests.tasks.digest_send_execute_task",
           work=_("the digest"), doing=_("sending this digest"),
           failure_fields=lambda message: {"error": message},
       ))

3. A service that creates the row and calls `job_send(DIGEST_SENDS, [row.id])` (sent after
   commit), and one that runs it:
   `job_execute(DIGEST_SENDS, job_id=job_id, delivery=delivery, work=work)` (all but the kind
   by keyword), where `work(attempt)` does the job and ends with `attempt.finish(**fields)`.
4. The task, an id in and one call::

       @shared_task(bind=True, **TASK_OPTIONS)
       def digest_send_execute_task(self, send_id: int) -> None:
           from digests.services import digest_send_execute

           job_task_run(self, digest_send_execute, send_id=send_id)

The names come from `jobs.models`, `jobs.kinds`, `jobs.services` and `jobs.tasks`. The
watchdog (beat's `jobs-watchdog` entry sweeps every registered kind), the retries and the
wording then come for free. Work that must run one at a time per something (one load per
experiment) adds a partial unique index on `status="running"`: a claim it refuses raises
JobBusy, and `job_task_run` retries it a few seconds later. Timings are settings
(`JOBS_HEARTBEAT_EVERY_SECONDS`, `JOBS_HEARTBEAT_STALE_SECONDS`, `JOBS_QUEUED_STALE_SECONDS`).
"""
