"""Django's makemessages, looking only where the product's own strings are (docs/i18n.md).

The sandbox simulates Send.ai's English API and is not translated; the tests, benchmarks,
vendored scripts and collected static files hold no strings of the product. Dot-directories
(.venv) are skipped by Django's default patterns already. Every catalogue keeps its lines
unwrapped, sorted by file and located by file name only (no line numbers), so that a change
to the code or the catalogue shows as a small diff.
"""

from django.core.management.commands import makemessages

IGNORED = ["reviewer/sandbox", "tests", "benchmarks", "static/vendor", "static-collected", "node_modules"]


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-wrap", "--sort-by-file"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--no-wrap", "--sort-by-file"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--no-wrap", "--sort-by-file"]
    xgettext_options = [*makemessages.Command.xgettext_options, "--no-wrap", "--sort-by-file"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        options["add_location"] = options["add_location"] or "file"
        return super().handle(*args, **options)
