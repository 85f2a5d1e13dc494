"""Spring assessment scores for a synthetic district (improvenet.analytics.synth), with the effect of a study
planted in them: a known truth for the studies' power panel and impact estimate to find.

Each student enrolled on the test day in a tested grade gets one score a year, on a scale of mean 500 and
standard deviation 40, made of parts whose shares of the variance are fixed: the pyramid (PYRAMID_SHARE), the
school within it (SCHOOL_SHARE), the student's lasting level (STUDENT_SHARE, so that last year's score predicts
this year's) and the year's noise (the rest). A few students have no score (absent on the test days). From the
trial's year on, students tested in a school the trial treated score `effect` standard deviations higher.
Deterministic from the seed. Pure: numpy and pyarrow.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from improvenet.analytics.bundle import arrow_schema, write_bundle
from improvenet.analytics.schema import TABLES_BY_NAME

SCALE_MEAN, SCALE_SD = 500.0, 40.0
PYRAMID_SHARE, SCHOOL_SHARE, STUDENT_SHARE = 0.04, 0.10, 0.56
TESTED_GRADES = range(3, 12)
UNTESTED = 0.04
ENROLLMENTS = TABLES_BY_NAME["student_school_association"]


@dataclass(frozen=True)
class Trial:
    """A study's planted effect: `effect` standard deviations in the schools it treated, from `year` on."""

    treated: Mapping[str, bool]
    """School id (as the bundle names it) → treated."""
    year: int
    effect: float


def testing_day(year: int) -> datetime.date:
    """The first weekday of May of the school year ending in `year`."""
    day = datetime.date(year, 5, 1)
    return day + datetime.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def assessment_scores(folder: Path | str, pyramid_of: Mapping[str, str], *, seed: int, assessment: str,
                      subject: str, trial: Trial | None = None) -> pa.Table:
    """The `student_assessment` rows for the enrollments of the bundle in `folder`. `pyramid_of` maps each school
    id to its pyramid (schools it does not name form a pyramid each)."""
    rng = np.random.default_rng([seed, 31])
    stints = pacsv.read_csv(Path(folder) / ENROLLMENTS.bundle_file,
                            convert_options=pacsv.ConvertOptions(column_types=arrow_schema(ENROLLMENTS)))
    frame = stints.select(["student_id", "school_id", "school_year", "grade_level", "entry_date", "exit_date"]
                          ).to_pandas()
    frame["day"] = frame["school_year"].map(lambda year: testing_day(int(year)))
    day = frame["day"]
    enrolled = (frame["entry_date"] <= day) & (frame["exit_date"].isna() | (frame["exit_date"] >= day))
    tested = frame[enrolled & frame["grade_level"].isin(list(TESTED_GRADES))]
    tested = tested.sort_values(["student_id", "school_year", "entry_date", "school_id"]).drop_duplicates(
        ["student_id", "school_year"], keep="last")
    tested = tested[rng.random(len(tested)) >= UNTESTED]
    schools = sorted(set(frame["school_id"]))
    pyramids = sorted({pyramid_of.get(school, school) for school in schools})
    school_part = dict(zip(schools, rng.normal(0, np.sqrt(SCHOOL_SHARE), len(schools)), strict=True))
    pyramid_part = dict(zip(pyramids, rng.normal(0, np.sqrt(PYRAMID_SHARE), len(pyramids)), strict=True))
    students = sorted(set(tested["student_id"]))
    student_part = dict(zip(students, rng.normal(0, np.sqrt(STUDENT_SHARE), len(students)), strict=True))
    noise_share = 1 - PYRAMID_SHARE - SCHOOL_SHARE - STUDENT_SHARE
    latent = (tested["school_id"].map(school_part).to_numpy()
              + tested["school_id"].map(lambda school: pyramid_part[pyramid_of.get(school, school)]).to_numpy()
              + tested["student_id"].map(student_part).to_numpy()
              + rng.normal(0, np.sqrt(noise_share), len(tested)))
    if trial is not None:
        treated = tested["school_id"].map(lambda school: bool(trial.treated.get(school, False))).to_numpy()
        latent = latent + trial.effect * (treated & (tested["school_year"].to_numpy() >= trial.year))
    return pa.table({
        "student_id": pa.array(tested["student_id"].tolist(), pa.string()),
        "school_id": pa.array(tested["school_id"].tolist(), pa.string()),
        "school_year": pa.array(tested["school_year"].astype("int32").to_numpy()),
        "assessment": pa.array([assessment] * len(tested), pa.string()),
        "subject": pa.array([subject] * len(tested), pa.string()),
        "score": pa.array(np.round(SCALE_MEAN + SCALE_SD * latent, 1)),
        "date": pa.array(tested["day"].tolist(), pa.date32()),
    })


def add_assessment_scores(folder: Path | str, pyramid_of: Mapping[str, str], **options) -> int:
    """Write `assessments.csv` into the bundle in `folder` (see assessment_scores); returns the rows written."""
    scores = assessment_scores(folder, pyramid_of, **options)
    write_bundle({"student_assessment": scores}, folder)
    return scores.num_rows
