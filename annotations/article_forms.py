"""Forms of the article pages."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model

from annotations import stats
from annotations.models import AssignmentStatus, Verdict

_HAS = [("", "Anything"), *((k.value, k.label) for k in stats.ARTICLE_HAS)]
_STATUS = [("", "Any"), *((s.value, s.label) for s in stats.ARTICLE_STATUS)]


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    source = forms.ChoiceField(required=False, choices=[("", "All sources")])
    unreviewed = forms.BooleanField(required=False, label="Has unreviewed suggestions")
    assignee = forms.ModelChoiceField(
        required=False,
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        empty_label="Anyone",
        label="Assigned to",
    )
    assignment = forms.ChoiceField(
        required=False,
        choices=[("", "Any or none"), *AssignmentStatus.choices],
        label="Assignment",
    )
    # What the article contains (the API's filters of the same names; annotations.stats).
    has = forms.ChoiceField(required=False, choices=_HAS, label="Contains")
    verdict = forms.ChoiceField(
        required=False, choices=[("", "Any"), *Verdict.choices], label="Claim verdict"
    )
    status = forms.ChoiceField(required=False, choices=_STATUS, label="Spans")
    published_after = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    published_before = forms.DateField(
        required=False, label="Published before", widget=forms.DateInput(attrs={"type": "date"})
    )
    # Set by links (the stats page, an entity's page): shown as a removable chip.
    speaker = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    entity = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "All sources"), *((s, s) for s in sources)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data["q"],
            "source": self.cleaned_data["source"],
            "unreviewed": self.cleaned_data["unreviewed"],
            "assignee": self.cleaned_data["assignee"].pk if self.cleaned_data["assignee"] else None,
            "assignment_status": self.cleaned_data["assignment"],
        }

    def contents(self) -> dict:
        """Keyword arguments of annotations.stats.articles_containing."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "speaker": data["speaker"],
            "entity": data["entity"],
            "has": [data["has"]] if data["has"] else [],
            "verdict": data["verdict"],
            "status": data["status"],
        }

    def published(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        if not self.is_valid():
            return None, None
        return tuple(
            None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            for day in (self.cleaned_data["published_after"], self.cleaned_data["published_before"])
        )


class ArticleMetadataForm(forms.Form):
    """The outlet and publication day, from the workspace header (editors)."""

    source = forms.CharField(required=False, max_length=200, label="Outlet")
    published_at = forms.DateField(required=False, label="Published")
