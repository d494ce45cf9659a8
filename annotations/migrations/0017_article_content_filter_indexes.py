
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0016_quote_match_keys'),
        ('articles', '0006_article_published_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='span',
            index=models.Index(condition=models.Q(('status', 'accepted')), fields=['article', 'kind', 'claim'], name='span_accepted_article_idx'),
        ),
        migrations.AddIndex(
            model_name='span',
            index=models.Index(condition=models.Q(('kind', 'mention'), ('status', 'accepted')), fields=['entity', 'article'], name='span_accepted_mention_idx'),
        ),
    ]
