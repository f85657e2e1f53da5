"""Signed tokens for links that work without signing in: unsubscribing, and share links.

Each token names its row and is signed with SECRET_KEY under its own salt, so an unsubscribe
token cannot open a share link and an altered token opens nothing. Whether a share link still
works (expiry, revocation) is the row's to say, so revoking needs no key rotation.
"""

from django.core import signing

UNSUBSCRIBE_SALT = "digests.unsubscribe"
SHARE_SALT = "digests.share"


def unsubscribe_token(user_id: int, team_id: int) -> str:
    return signing.dumps([user_id, team_id], salt=UNSUBSCRIBE_SALT)


def unsubscribe_ids(token: str) -> tuple[int, int]:
    """(user id, team id); raise signing.BadSignature for a token that was not ours."""
    user_id, team_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(user_id), int(team_id)


def share_token(link_id: int) -> str:
    return signing.dumps(link_id, salt=SHARE_SALT)


def share_link_id(token: str) -> int:
    """The share link's id; raise signing.BadSignature for an altered or foreign token."""
    return int(signing.loads(token, salt=SHARE_SALT))
