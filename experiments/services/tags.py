from experiments.models import Tag

MAX_TAG_LENGTH = 48


def tag_names_parse(text: str) -> list[str]:
    """Split 'pricing, Checkout ,pricing' into ['checkout', 'pricing']: lower case, unique."""
    names = {part.strip().lower()[:MAX_TAG_LENGTH] for part in text.split(",")}
    return sorted(name for name in names if name)


def tags_get_or_create(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]
