from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="adoption",
            name="change_idea_title",
            field=models.CharField(
                default="",
                help_text="The adopted idea's title when it was adopted: what the network's other clusters read, "
                "whatever the adopting cluster renames it later.",
                max_length=200,
            ),
            preserve_default=False,
        ),
    ]
