from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EmployeeListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл со списком"),
        help_text=_(
            "CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX по шаблону. Список "
            "полный: кого в нём нет, тот будет исключён."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    effective_date = forms.DateField(
        label=_("Дата вступления в силу"),
        help_text=_("Исключённые из списка застрахованы по день, предшествующий этой дате."),
        widget=AdminDateWidget,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()


class ApplyForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Пропустить строки с ошибками: эти люди останутся в реестре без изменений"),
        required=False,
    )


class ColumnMappingForm(forms.Form):
    """A choice of field for each column of the list the import did not recognise."""

    def __init__(self, *args, headers: list[str], choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )

    def chosen(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"column_{index}", "")
            for index, header in enumerate(self.headers)
        }
