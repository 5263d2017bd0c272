#include "../common/check.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

static struct uml_switch_req_v3 v3(const char *abstract)
{
	struct uml_switch_req_v3 r;
	memset(&r, 0, sizeof r);
	r.magic = UML_SWITCH_MAGIC;
	r.version = 3;
	r.type = UML_SWITCH_REQ_NEW_CONTROL;
	r.sock.family = AF_UNIX;
	memcpy(r.sock.path + 1, abstract, strlen(abstract));
	return r;
}

int main(void)
{
	struct sw_request out;
	const char *why;

	/* UML's 124-byte v3 request. */
	struct uml_switch_req_v3 r = v3("uml-data");
	CHECK(sw_request_parse(&r, sizeof r, &out, &why) == SW_REQ_OK);
	CHECK(out.version == 3 && out.port == 0 && out.descr[0] == 0);
	CHECK(out.addr.sun_family == AF_UNIX && out.addr.sun_path[0] == 0 &&
	      memcmp(out.addr.sun_path + 1, "uml-data", 8) == 0);
	/* UML's padding may be stack garbage: still no description. */
	((uint8_t *)&r)[122] = 'x';
	((uint8_t *)&r)[123] = 0x99;
	CHECK(sw_request_parse(&r, sizeof r, &out, &why) == SW_REQ_OK && out.descr[0] == 0);

	/* Every shorter prefix asks for more. */
	int more = 1;
	for (size_t l = 0; l < UML_SWITCH_REQ_V3_PACKED_LEN; l++)
		more &= sw_request_parse(&r, l, &out, &why) == SW_REQ_NEED_MORE;
	CHECK(more);

	/* libvdeplug: packed request, description, port 5 in the type. */
	uint8_t buf[300];
	struct uml_switch_req_v3 vr = v3("x");
	vr.type = UML_SWITCH_REQ_NEW_CONTROL + (5u << 8);
	strcpy(vr.sock.path, "/tmp/vde.ctl/.01234-00000");
	memcpy(buf, &vr, UML_SWITCH_REQ_V3_PACKED_LEN);
	const char *d = "vde_plug: user=root";
	memcpy(buf + UML_SWITCH_REQ_V3_PACKED_LEN, d, strlen(d));
	CHECK(sw_request_parse(buf, UML_SWITCH_REQ_V3_PACKED_LEN + strlen(d), &out, &why) == SW_REQ_OK);
	CHECK(out.port == 5 && strcmp(out.descr, d) == 0);
	CHECK(strcmp(out.addr.sun_path, "/tmp/vde.ctl/.01234-00000") == 0);

	/* v1: magic, type, mac, sockaddr. */
	struct uml_switch_req_v1 r1;
	memset(&r1, 0, sizeof r1);
	r1.magic = UML_SWITCH_MAGIC;
	r1.type = 0;
	memcpy(r1.mac, "\xfe\xfd\x0a\x00\x00\x02", 6);
	r1.sock.family = AF_UNIX;
	strcpy(r1.sock.path, "/tmp/uml-data");
	CHECK(sw_request_parse(&r1, sizeof r1, &out, &why) == SW_REQ_OK);
	CHECK(out.version == 1 && out.has_mac && out.mac[0] == 0xfe);
	CHECK(sw_request_parse(&r1, sizeof r1 - 1, &out, &why) == SW_REQ_NEED_MORE);

	/* Rejections, each with a reason. */
	struct uml_switch_req_v3 bad = v3("a");
	bad.magic = 0x12345678;
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD && why);
	bad = v3("a");
	bad.version = 2;
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD && strstr(why, "2"));
	bad.version = 77;
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD);
	bad = v3("a");
	bad.type = UML_SWITCH_REQ_NEW_PORT0;
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD);
	bad.type = 7;
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD);
	bad = v3("a");
	bad.sock.family = 2; /* AF_INET */
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD);
	bad = v3("");
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD); /* empty */
	bad = v3("a");
	memset(bad.sock.path, 'A', sizeof bad.sock.path); /* unterminated path */
	CHECK(sw_request_parse(&bad, sizeof bad, &out, &why) == SW_REQ_BAD);
	CHECK(sw_request_parse("GET / HTTP/1.0\r\n", 16, &out, &why) == SW_REQ_BAD);
	uint8_t huge[400] = { 0 };
	memcpy(huge, &r, sizeof r);
	CHECK(sw_request_parse(huge, sizeof huge, &out, &why) == SW_REQ_BAD);

	/* Fuzz: random bytes behind a valid magic never crash and never give
	 * an OK with a non-AF_UNIX address. */
	srand(1);
	int sane = 1;
	for (int i = 0; i < 200000; i++) {
		uint8_t f[SW_REQ_MAX];
		size_t len = (size_t)rand() % sizeof f;
		for (size_t j = 0; j < len; j++)
			f[j] = (uint8_t)rand();
		if (len >= 4 && rand() % 2) {
			uint32_t m = UML_SWITCH_MAGIC;
			memcpy(f, &m, 4);
			if (len >= 8 && rand() % 2) {
				uint32_t ver = (uint32_t)(rand() % 4);
				memcpy(f + 4, &ver, 4);
			}
		}
		enum sw_req_status st = sw_request_parse(f, len, &out, &why);
		if (st == SW_REQ_OK)
			sane &= out.addr.sun_family == AF_UNIX;
		if (st == SW_REQ_BAD)
			sane &= why != NULL;
	}
	CHECK(sane);

	/* Printable names for logs. */
	char s[120];
	sw_addr_str(&out.addr, s, sizeof s);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strcpy(a.sun_path + 1, "umk-switch.1.2");
	sw_addr_str(&a, s, sizeof s);
	CHECK(strcmp(s, "@umk-switch.1.2") == 0);
	memset(a.sun_path, 0, sizeof a.sun_path);
	a.sun_path[1] = 0x10;
	a.sun_path[2] = 0x27;
	sw_addr_str(&a, s, sizeof s);
	CHECK(strcmp(s, "@hex:1027") == 0);
	strcpy(a.sun_path, "/tmp/x");
	sw_addr_str(&a, s, sizeof s);
	CHECK(strcmp(s, "/tmp/x") == 0);
	sw_addr_str(&a, s, 3);
	CHECK(strlen(s) == 2);
	return check_done("request");
}
