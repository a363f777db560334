from django.db import migrations

TEXT_EN = """Who: the WeGO Secretariat (World Smart Sustainable Cities Organization) organises the Executive Committee meeting with the host city, which processes your data on the Secretariat's behalf.

What and why: your name (in Latin letters and in your own script), title, organisation, city, email and phone to register you, send you the confirmation and your badge, and check you in at the venue; your photo to print it on your badge; dietary and accessibility needs to serve and welcome you; arrival, departure and hotel details to arrange airport pickup and rooms; passport details only if you ask for a visa invitation letter, to write it.

Who sees it: the Secretariat's staff; desk staff at the venue see only your name, city, category and badge; passport details are encrypted and only the Secretariat sees them, and every view of them is recorded.

How long: passport details, photos, dietary and accessibility needs, phone numbers and flight details are erased 90 days after the event. Anonymous counts (how many came from which city) are kept.

Your rights: from "my registration" you can download everything we hold about you and ask us to erase it. You can withdraw this consent by cancelling your registration."""

TEXT_KO = """처리 주체: 세계스마트시티기구(WeGO) 사무국이 집행위원회 회의를 개최 도시와 함께 주관하며, 개최 도시는 사무국을 대신하여 개인정보를 처리합니다.

처리 항목과 목적: 등록, 확인 메일과 명찰 발송, 현장 체크인을 위해 성명(로마자 및 본인 문자), 직함, 소속 기관, 도시, 이메일, 전화번호를 처리합니다. 명찰 인쇄를 위해 사진을, 식사와 편의 제공을 위해 식이 및 접근성 요구 사항을, 공항 픽업과 객실 배정을 위해 도착·출발 및 호텔 정보를 처리합니다. 여권 정보는 비자 초청장을 요청한 경우에만 초청장 작성을 위해 처리합니다.

열람 범위: 사무국 직원이 열람합니다. 현장 등록 데스크는 성명, 도시, 등록 구분, 명찰만 볼 수 있습니다. 여권 정보는 암호화되어 사무국만 열람할 수 있으며, 모든 열람 기록이 남습니다.

보유 기간: 여권 정보, 사진, 식이 및 접근성 요구 사항, 전화번호, 항공편 정보는 행사 종료 90일 후 삭제됩니다. 익명 통계(도시별 참가자 수 등)는 보관합니다.

정보주체의 권리: '나의 등록' 페이지에서 보유 중인 본인의 모든 정보를 내려받고 삭제를 요청할 수 있습니다. 등록을 취소하여 이 동의를 철회할 수 있습니다."""


def publish_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("registration", "PrivacyNotice")
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(version=1, text_en=TEXT_EN, text_ko=TEXT_KO)


class Migration(migrations.Migration):
    dependencies = [("registration", "0002_roles")]
    operations = [migrations.RunPython(publish_first_notice, migrations.RunPython.noop)]
