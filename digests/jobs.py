"""Each digest e-mail is a job: claimed, beating, watched, and so sent once."""

from django.utils.translation import gettext_lazy as _

from digests.models import DigestSend
from jobs.kinds import JobKind, register

DIGEST_SENDS = register(
    JobKind(
        model=DigestSend,
        task="digests.tasks.digest_send_execute_task",
        work=_("the digest"),
        doing=_("sending this digest"),
        failure_fields=lambda message: {"error": message},
    )
)
