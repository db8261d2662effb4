from django.db import migrations

# The series every installation knows. Figures of different series are never added up.
STANDARD_SERIES = [
    {
        "code": "reported",
        "name": "Số liệu các địa bàn báo cáo",
        "description": "Ca bệnh, số ca theo ngày, xét nghiệm, tiêm chủng và năng lực điều trị "
        "do phường/xã, trung tâm y tế nhập hoặc tải lên.",
        "source": "Vùng Xanh",
        "simulated": False,
        "priority": 20,
    },
    {
        "code": "moh-ncsc",
        "name": "Bộ Y tế (cổng covid19.ncsc.gov.vn), theo ngày công bố",
        "description": "Số ca mắc và tử vong mới theo tỉnh, theo ngày công bố trong bản tin "
        "của Bộ Y tế (18/3/2020 – 22/1/2022). Không tách nơi phát hiện.",
        "source": "covid19.ncsc.gov.vn, qua haminh0307/tudtk-covid-project",
        "simulated": False,
        "priority": 50,
    },
    {
        "code": "cantho-doh",
        "name": "Sở Y tế TP Cần Thơ (báo cáo nhanh, qua báo chí)",
        "description": "Các con số Sở Y tế Cần Thơ công bố, do báo chí đăng lại; mỗi dòng có "
        "đường dẫn nguồn. Thưa, không liên tục.",
        "source": "báo chí (xem PROVENANCE.md)",
        "simulated": False,
        "priority": 40,
    },
    {
        "code": "cantho-sim",
        "name": "Mô phỏng: chia số liệu Cần Thơ cho quận và phường",
        "description": "Chuỗi mô phỏng có gieo số ngẫu nhiên cố định, khớp với mọi con số đã "
        "công bố; dùng cho bản trình diễn. KHÔNG phải số liệu thật của phường.",
        "source": "Vùng Xanh demo model",
        "simulated": True,
        "priority": 30,
    },
]


def create_series(apps, schema_editor):
    series = apps.get_model("surveillance", "Series")
    for values in STANDARD_SERIES:
        series.objects.update_or_create(code=values["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0001_initial")]
    operations = [migrations.RunPython(create_series, migrations.RunPython.noop)]
