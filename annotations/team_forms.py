"""Forms of the team pages: bulk assignment from the article list."""

from django import forms
from django.contrib.auth import get_user_model

from annotations.models import AssignmentTask
from articles.models import Article


class BulkAssignForm(forms.Form):
    articles = forms.ModelMultipleChoiceField(
        queryset=Article.objects.only("pk"), error_messages={"required": "Select articles."}
    )
    assignees = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label="People",
        error_messages={"required": "Pick at least one person."},
    )
    spread = forms.BooleanField(
        required=False, label="Spread evenly over them (else each gets every article)"
    )
    task = forms.ChoiceField(choices=AssignmentTask.choices, initial=AssignmentTask.ANNOTATE)
    blind = forms.BooleanField(required=False, label="Blind (private layers)")
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
