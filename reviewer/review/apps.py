from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "reviewer.review"
    label = "review"
    verbose_name = "Review"
