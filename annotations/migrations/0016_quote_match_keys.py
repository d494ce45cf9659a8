
from collections import defaultdict

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from annotations.quote_keys import Groups
from annotations.suggesters import matching

CHUNK = 5000


def quotes_key(apps, schema_editor):
    """Register the wordings of the quotes there are, in order of publication (as reused
    quotes were grouped at read time before), and store each quote's key."""
    Span = apps.get_model("annotations", "Span")
    QuoteWording = apps.get_model("annotations", "QuoteWording")
    quotes = (
        Span.objects.filter(kind="quote")
        .order_by(F("article__published_at").asc(nulls_last=True), "article_id", "start", "id")
        .values_list("id", "text")
    )
    groups = Groups()
    words_of: dict[str, str] = {}
    ids_by_key: dict[str, list[int]] = defaultdict(list)
    for pk, text in quotes.iterator(chunk_size=CHUNK):
        if text not in words_of:
            words_of[text] = matching.normalise(text)
        ids_by_key[groups.key(words_of[text])].append(pk)
    QuoteWording.objects.bulk_create(
        [QuoteWording(**wording.fields()) for wording in groups.new], batch_size=CHUNK
    )
    for key, ids in ids_by_key.items():
        for at in range(0, len(ids), CHUNK):
            Span.objects.filter(pk__in=ids[at : at + CHUNK]).update(match_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0015_span_decided_name_idx'),
        ('articles', '0006_article_published_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='QuoteWording',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=32, unique=True)),
                ('words', models.TextField()),
                ('key', models.CharField(max_length=32)),
                ('block1', models.CharField(blank=True, db_index=True, max_length=64)),
                ('block2', models.CharField(blank=True, db_index=True, max_length=64)),
                ('block3', models.CharField(blank=True, db_index=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='span',
            name='match_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=32),
        ),
        migrations.RunPython(quotes_key, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='span',
            index=models.Index(condition=models.Q(('kind', 'quote'), ('layer__isnull', True)), fields=['status', 'speaker', 'match_key', 'article'], name='span_quote_match_idx'),
        ),
    ]
