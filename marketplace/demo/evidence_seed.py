"""The demo's evidence files and the households' confirmations (issue 14), made through the real services as
people would: the fulfiler stages photos and receipts (evidence_art) before submitting, and enters the
household's code from the delivery slip that staff printed, or photographs the signed slip; staff record
follow-up visits (回访), before verification where the household confirms that way, and afterwards to ask
how the aid was. Service needs are mostly verified without confirmation, as their rule allows, so the
chain shows 未经受助方确认.

Its own random stream, so the households, needs and claims of the rest of the demo stay as they were."""

import random
from datetime import date

from ..auth.models import AppUser
from ..claims.models import Claim
from ..confirmation import service as confirmation
from ..evidence import service as evidence
from ..needs.models import Need
from . import evidence_art as art

# How the household confirms, dealt in turn. Money, goods and retrofit need a confirmation by default.
REQUIRED_PLANS = ("code", "code", "slip", "code", "visit")
SERVICE_PLANS = ("none", "none", "code", "none")
PENDING_PLANS = ("code", "slip", "none")  # evidence the verifier still has to look at
# A follow-up visit after verification on this share of verified needs (all of `favoured` organisation's).
FOLLOW_UP_SHARE = 0.4
REMARKS = (
    "受助方表示已收到，物品实用，感谢爱心组织。", "户主反映帮扶及时，家里情况有所好转。", "已当面核实，与凭证一致。",
    "电话回访，家属表示满意。", "改造后出入方便多了，老人很满意。",
    "已收到，但送达时间比约定晚了几天。", "服务人员态度好，希望以后还能上门。",
)
ACCEPTANCE_NOTES = ("经现场查看，扶手牢固，地面防滑。", "坡道坡度合适，轮椅可自行进出。", "施工完成，设施可正常使用。", None)
BATHROOM_WORDS = ("卫生间", "厨房", "照明", "电线", "门铃")
STUDY_CATEGORIES = ("education", "psychological")


class EvidenceSeeder:
    def __init__(self, session, store, organisations: dict[int, str], favoured: int | None):
        self.session, self.store, self.names, self.favoured = session, store, organisations, favoured
        self.rng = random.Random(14)
        self.turns = {"required": 0, "service": 0, "pending": 0}
        self.reviewed: list[tuple[Need, Claim, AppUser, str]] = []  # verified: need, claim, staff, plan
        self.today = date.today()

    # --- the fulfiler -------------------------------------------------------------------------
    def prepare(self, claimant: AppUser, poster: AppUser, need: Need, claim: Claim, stage: str) -> tuple[str, str | None]:
        """Before the evidence is submitted: files staged, and the slip's code when the household gave it.
        Returns (how the household confirms, the code to enter with the evidence or None)."""
        plan = self._plan(need.form, stage)
        for role, filename, data in self._files(need, claim, plan):
            evidence.stage(self.session, claimant, claim=claim, role=role, filename=filename, data=data,
                           store=self.store)
        code = None
        if plan == "code":  # staff printed the household's copy; the household read the code out on delivery
            slip = confirmation.slip_for(self.session, claim=claim, actor=poster)
            confirmation.mark_printed(self.session, poster, slip)
            code = slip.code
        return plan, code

    def _plan(self, form: str, stage: str) -> str:
        kind = "pending" if stage != "verified" else "service" if form == "service" else "required"
        plans = {"pending": PENDING_PLANS, "service": SERVICE_PLANS, "required": REQUIRED_PLANS}[kind]
        self.turns[kind] += 1
        return plans[(self.turns[kind] - 1) % len(plans)]

    def _files(self, need: Need, claim: Claim, plan: str) -> list[tuple[str, str, bytes]]:
        rng, organisation = self.rng, self.names.get(claim.organization_id, "志愿者")
        stamp = organisation if claim.organization_id else ""
        on = self.today.isoformat()
        lines = art.receipt_lines(title=need.title, amount_fen=need.target_amount_fen, organisation=organisation,
                                  on=on)
        files = []
        if need.form == "money":
            if rng.random() < 0.5:
                files.append(("receipt", "收据.pdf", art.receipt_pdf(lines, stamp)))
            else:
                files.append(("receipt", self._photo_name(), art.receipt_photo(rng, lines, stamp)))
        elif need.form == "goods":
            if need.category == "education":
                files.append(("delivery", self._photo_name(), art.desk(rng)))
            else:
                files.append(("delivery", self._photo_name(), art.parcel(rng, need.title)))
            if rng.random() < 0.35:
                files.append(("receipt", self._photo_name(), art.receipt_photo(rng, lines, stamp)))
        elif need.form == "retrofit":
            scene = art.bathroom if any(word in need.title for word in BATHROOM_WORDS) else art.doorway
            files.append(("before", self._photo_name(), scene(rng, after=False)))
            files.append(("after", self._photo_name(), scene(rng, after=True)))
            if rng.random() < 0.5:
                files.append(("receipt", "材料清单.pdf", art.receipt_pdf(lines, stamp)))
        elif rng.random() < 0.6:  # service: photos are optional
            if need.category in STUDY_CATEGORIES:
                files.append(("photo", self._photo_name(), art.desk(rng)))
            else:
                visits = [f"第{k}次上门服务 {rng.choice((1, 2, 2, 3))} 小时 ✓" for k in range(1, rng.randint(3, 5))]
                files.append(("photo", self._photo_name(), art.service_record(rng, [f"服务项目：{need.title}",
                                                                                   *visits])))
        if plan == "slip":
            slip_lines = [f"需求：{need.title[:16]}", f"认领编号：{claim.id}", f"帮扶方：{organisation[:14]}"]
            files.append(("slip", self._photo_name(), art.signed_slip(rng, slip_lines)))
        return files

    def _photo_name(self) -> str:
        return f"IMG_{self.today:%Y%m%d}_{self.rng.randint(80000, 235959):06d}.jpg"

    @staticmethod
    def acceptance(need: Need) -> tuple[str, str | None]:
        """Who accepted a retrofit, and what they noted: a fixed cycle, not the demo's random stream."""
        who = ("household", "village", "third_party", "staff")[need.id % 4]
        return who, ACCEPTANCE_NOTES[need.id % len(ACCEPTANCE_NOTES)]

    # --- staff --------------------------------------------------------------------------------
    def before_verifying(self, poster: AppUser, need: Need, claim: Claim, plan: str) -> bool:
        """A follow-up visit where that is how the household confirms. Returns slip_checked: the verifier
        looked at the photographed, signed slip."""
        if plan == "visit":
            self._visit(poster, need, claim, method="visit")
        return plan == "slip"

    def verified(self, poster: AppUser, need: Need, claim: Claim, plan: str) -> None:
        self.reviewed.append((need, claim, poster, plan))

    def follow_ups(self) -> None:
        """回访 after verification: every verified need of the favoured organisation (so its satisfaction
        passes the public directory's threshold) and a share of the others."""
        for need, claim, poster, plan in self.reviewed:
            if plan == "visit":
                continue  # visited already, before verification
            favoured = claim.organization_id is not None and claim.organization_id == self.favoured
            if favoured or self.rng.random() < FOLLOW_UP_SHARE:
                self._visit(poster, need, claim, method=self.rng.choice(("visit", "phone")))

    def _visit(self, staff: AppUser, need: Need, claim: Claim, *, method: str) -> None:
        satisfaction = self.rng.choices((5, 4, 3), (55, 35, 10))[0]
        confirmation.record_follow_up(self.session, staff, need, claim=claim, visited_on=self.today, method=method,
                                      received=True, satisfaction=satisfaction, remarks=self.rng.choice(REMARKS))
