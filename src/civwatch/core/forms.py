"""One layout for every form (settings.FORM_RENDERER): `{{ form }}` renders
core/templates/core/form.html and each field core/templates/core/field.html: its label above
its input, the help text and the errors right under it (styled in static/civwatch/site.css)."""

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    form_template_name = "core/form.html"
    field_template_name = "core/field.html"
