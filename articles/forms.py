"""Forms of the article pages."""

from django import forms


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    source = forms.ChoiceField(required=False, choices=[("", "All sources")])
    unreviewed = forms.BooleanField(required=False, label="Has unreviewed suggestions")

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
        }
