#!/usr/bin/env bats
# The switch's C unit tests (learning table, impairment model, request
# parsing, pcap writer, delay queue), plain and under ASan/UBSan.

UT="$BATS_TEST_DIRNAME/../../build/tests/unit/switch"

run_unit() {
	[ -x "$UT/$1" ] || skip "not built: make $UT/$1"
	run "$UT/$1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: learning table" { run_unit test_fdb; }
@test "unit: learning table (ASan/UBSan)" { run_unit test_fdb-asan; }
@test "unit: impairment model" { run_unit test_impair; }
@test "unit: impairment model (ASan/UBSan)" { run_unit test_impair-asan; }
@test "unit: request parsing and fuzz" { run_unit test_request; }
@test "unit: request parsing and fuzz (ASan/UBSan)" { run_unit test_request-asan; }
@test "unit: pcap writer" { run_unit test_pcapw; }
@test "unit: pcap writer (ASan/UBSan)" { run_unit test_pcapw-asan; }
@test "unit: delay queue" { run_unit test_delayq; }
@test "unit: delay queue (ASan/UBSan)" { run_unit test_delayq-asan; }
