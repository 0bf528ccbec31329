from django import forms

from ingestion.models import ImportUpload

ALLOWED_SUFFIXES = (".zip", ".csv", ".csv.gz")


class UploadForm(forms.Form):
    importer = forms.ChoiceField(choices=ImportUpload.Importer.choices)
    file = forms.FileField(help_text="A data.police.uk zip or CSV, or a calls-for-service CSV.")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(f"{uploaded.name}: expected a .zip, .csv or .csv.gz file.")
        return uploaded
