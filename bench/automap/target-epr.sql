-- EPR load model: the target of the automap benchmark (the example contract's target tables,
-- plus columns no legacy system fills, to measure "correctly none").

CREATE TABLE patient (
  patient_id integer NOT NULL PRIMARY KEY,
  hospital_number varchar(12),
  nhs_number varchar(10),
  title varchar(4),
  family_name varchar(35) NOT NULL,
  given_name varchar(35) NOT NULL,
  middle_names varchar(35),
  date_of_birth date NOT NULL,
  person_stated_gender varchar(1) NOT NULL,
  ethnic_category varchar(2),
  marital_status varchar(1),
  date_of_death date,
  telephone varchar(20),
  registered_on date,
  email_address varchar(100) NULL,
  preferred_language varchar(20) NULL
);

CREATE TABLE patient_address (
  address_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  line1 varchar(35) NOT NULL,
  line2 varchar(35),
  town varchar(35),
  county varchar(35),
  postcode varchar(8) NOT NULL,
  valid_from date,
  valid_to date
);

CREATE TABLE gp_registration (
  registration_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  practice_code varchar(6) NOT NULL,
  gp_code varchar(8),
  registered_from date,
  registered_to date
);

CREATE TABLE referral (
  referral_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  received_on date NOT NULL,
  rtt_clock_start date NOT NULL,
  treatment_function varchar(3) NOT NULL,
  referral_source varchar(24),
  priority varchar(16)
);

CREATE TABLE outpatient_appointment (
  appointment_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  referral_id integer NOT NULL REFERENCES referral (referral_id),
  appointment_date date NOT NULL,
  appointment_time varchar(5),
  clinic_code varchar(8),
  attendance_status varchar(1) NOT NULL,
  outcome_of_attendance varchar(1)
);

CREATE TABLE admission (
  spell_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  admitted_on date NOT NULL,
  admission_time varchar(5),
  admission_method varchar(2) NOT NULL,
  treatment_function varchar(3) NOT NULL,
  discharged_on date,
  discharge_method varchar(1),
  expected_discharge_on date NULL
);

CREATE TABLE diagnosis (
  diagnosis_id integer NOT NULL PRIMARY KEY,
  spell_id integer NOT NULL REFERENCES admission (spell_id),
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  sequence integer NOT NULL,
  icd10_code varchar(6) NOT NULL
);

CREATE TABLE procedure (
  procedure_id integer NOT NULL PRIMARY KEY,
  spell_id integer NOT NULL REFERENCES admission (spell_id),
  sequence integer NOT NULL,
  opcs4_code varchar(5) NOT NULL,
  performed_on date
);

CREATE TABLE allergy (
  allergy_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  substance_sctid varchar(18) NOT NULL,
  substance_term varchar(100),
  severity varchar(8),
  recorded_on date
);

CREATE TABLE medication (
  medication_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  dmd_id varchar(18) NOT NULL,
  product_name varchar(120),
  dose varchar(40),
  route varchar(3),
  frequency varchar(3),
  started_on date,
  stopped_on date,
  prescriber_code varchar(8) NULL
);

CREATE TABLE lab_result (
  result_id integer NOT NULL PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient (patient_id),
  loinc_code varchar(10) NOT NULL,
  test_name varchar(60),
  result_value numeric(12,2) NOT NULL,
  units varchar(20),
  reference_low numeric(12,2),
  reference_high numeric(12,2),
  collected_on date NOT NULL,
  abnormal_flag boolean NULL
);
