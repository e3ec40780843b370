-- Sample EHR schema of a small clinic and hospital, loaded by ehrbridge demo
-- and by the tests. The same file loads into SQLite and PostgreSQL 15, so it
-- uses only types that both accept: INTEGER, TEXT, DATE, TIMESTAMP and
-- DOUBLE PRECISION.
--
-- Conventions:
--   * TIMESTAMP values are UTC, written as 'YYYY-MM-DD HH:MM:SS' (SQLite's
--     datetime() format), so they sort and compare as text in SQLite.
--   * DATE values are written as 'YYYY-MM-DD'.
--   * Every table has updated_at, the incremental sync cursor column. Several
--     rows of a table may share one updated_at value.
--   * Codes are stored with their display text: LOINC for vital signs,
--     SNOMED CT for conditions and encounter types, RxNorm for medications.

CREATE TABLE practitioners (
    id          INTEGER PRIMARY KEY,
    npi         TEXT NOT NULL UNIQUE,
    prefix      TEXT,
    given_name  TEXT NOT NULL,
    middle_name TEXT,
    family_name TEXT NOT NULL,
    suffix      TEXT,
    specialty   TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE locations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL, -- ward, clinic-room, emergency, icu
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE patients (
    id                      INTEGER PRIMARY KEY,
    mrn                     TEXT NOT NULL UNIQUE,
    prefix                  TEXT,
    given_name              TEXT NOT NULL,
    middle_name             TEXT,
    family_name             TEXT NOT NULL,
    suffix                  TEXT,
    sex                     TEXT NOT NULL, -- HL7 table 0001: F, M, O, U
    birth_date              DATE NOT NULL,
    phone                   TEXT,
    address_line1           TEXT,
    address_line2           TEXT,
    city                    TEXT,
    state                   TEXT,
    postal_code             TEXT,
    primary_practitioner_id INTEGER REFERENCES practitioners (id),
    updated_at              TIMESTAMP NOT NULL
);

CREATE TABLE encounters (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    location_id     INTEGER REFERENCES locations (id),
    practitioner_id INTEGER REFERENCES practitioners (id),
    class           TEXT NOT NULL, -- HL7 v3 ActCode: AMB, EMER, IMP
    type_code       TEXT NOT NULL, -- SNOMED CT
    type_display    TEXT NOT NULL,
    status          TEXT NOT NULL, -- planned, in-progress, finished
    start_time      TIMESTAMP NOT NULL,
    end_time        TIMESTAMP,     -- NULL while the encounter is in progress
    updated_at      TIMESTAMP NOT NULL
);

-- One row per observation. A blood pressure reading is one row with the
-- panel code 85354-9, value NULL and both systolic (8480-6) and diastolic
-- (8462-4) set, all in mm[Hg].
CREATE TABLE vital_signs (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients (id),
    encounter_id   INTEGER REFERENCES encounters (id),
    loinc_code     TEXT NOT NULL,
    loinc_display  TEXT NOT NULL,
    value          DOUBLE PRECISION,
    unit           TEXT NOT NULL, -- UCUM code
    systolic       DOUBLE PRECISION,
    diastolic      DOUBLE PRECISION,
    effective_time TIMESTAMP NOT NULL,
    status         TEXT NOT NULL, -- final, amended, preliminary
    updated_at     TIMESTAMP NOT NULL,
    CHECK (value IS NOT NULL OR (systolic IS NOT NULL AND diastolic IS NOT NULL))
);

CREATE TABLE conditions (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    encounter_id    INTEGER REFERENCES encounters (id),
    snomed_code     TEXT NOT NULL,
    snomed_display  TEXT NOT NULL,
    clinical_status TEXT NOT NULL, -- active, recurrence, inactive, remission, resolved
    severity        TEXT,          -- mild, moderate, severe
    onset_date      DATE,
    recorded_date   DATE NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE allergies (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patients (id),
    substance_system  TEXT NOT NULL, -- code system URI: RxNorm or SNOMED CT
    substance_code    TEXT NOT NULL,
    substance_display TEXT NOT NULL,
    category          TEXT NOT NULL, -- medication, food, environment
    criticality       TEXT,          -- low, high, unable-to-assess
    status            TEXT NOT NULL, -- active, inactive, resolved
    verification      TEXT NOT NULL, -- unconfirmed, confirmed, refuted
    reaction          TEXT,
    note              TEXT,
    recorded_date     DATE NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE medication_orders (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients (id),
    encounter_id   INTEGER REFERENCES encounters (id),
    rxnorm_code    TEXT NOT NULL,
    rxnorm_display TEXT NOT NULL,
    dosage_text    TEXT NOT NULL,
    prescriber_id  INTEGER REFERENCES practitioners (id), -- NULL when reported by the patient
    written_date   DATE NOT NULL,
    end_date       DATE,
    status         TEXT NOT NULL, -- active, completed, stopped, on-hold
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE coverages (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    payer_name    TEXT NOT NULL,
    plan_name     TEXT NOT NULL,
    group_number  TEXT,
    subscriber_id TEXT NOT NULL,
    relationship  TEXT NOT NULL, -- self, spouse, child, other
    period_start  DATE NOT NULL,
    period_end    DATE,
    updated_at    TIMESTAMP NOT NULL
);

CREATE INDEX practitioners_updated_at ON practitioners (updated_at);
CREATE INDEX locations_updated_at ON locations (updated_at);
CREATE INDEX patients_updated_at ON patients (updated_at);
CREATE INDEX encounters_updated_at ON encounters (updated_at);
CREATE INDEX encounters_patient_id ON encounters (patient_id);
CREATE INDEX vital_signs_updated_at ON vital_signs (updated_at);
CREATE INDEX vital_signs_patient_id ON vital_signs (patient_id);
CREATE INDEX conditions_updated_at ON conditions (updated_at);
CREATE INDEX conditions_patient_id ON conditions (patient_id);
CREATE INDEX allergies_updated_at ON allergies (updated_at);
CREATE INDEX allergies_patient_id ON allergies (patient_id);
CREATE INDEX medication_orders_updated_at ON medication_orders (updated_at);
CREATE INDEX medication_orders_patient_id ON medication_orders (patient_id);
CREATE INDEX coverages_updated_at ON coverages (updated_at);
CREATE INDEX coverages_patient_id ON coverages (patient_id);
