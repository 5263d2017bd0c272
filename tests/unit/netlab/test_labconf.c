/* lab.conf parsing (netlab/labconf.c): a full lab, every option, and the
 * errors and warnings a bad line gives, with its file:line. */
#include "labconf.h"
#include "../common/check.h"

#include <string.h>

static char warned[1024];
static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(warned, sizeof(warned), "%s", msg);
}

/* parse text; return 0 or -1, the error in err */
static int parse(const char *text, struct lab *lab, char *err)
{
	warned[0] = 0;
	return labconf_parse("lab.conf", text, lab, on_warn, NULL, err, 256);
}

/* text must fail with exactly msg */
static void bad(const char *text, const char *msg)
{
	struct lab lab;
	char err[256] = "";
	int r = parse(text, &lab, err);
	CHECK(r == -1);
	if (strcmp(err, msg))
		fprintf(stderr, "  got:  %s\n  want: %s\n", err, msg);
	CHECK(!strcmp(err, msg));
	CHECK(lab.ndevs == 0 && lab.ncds == 0);
}

static void full_lab(void)
{
	const char *text =
		"# a router between two hosts\n"
		"LAB_NAME=\"Two LANs\"\n"
		"LAB_AUTHOR='A. Teacher'\n"
		"\n"
		"r1[0]=A\n"
		"r1[1]=\"B/02:42:ac:11:00:02\"\n"
		"r1[mem]=256m\n"
		"r1[sysctl]=\"net.ipv4.ip_forward=1\"\n"
		"r1[exec]=\"echo up > /tmp/up\"\n"
		"r1[exec]=true\n"
		"  pc1[0]=A   \r\n"
		"pc1[port]=\"8080:80/tcp\"\n"
		"pc1[port]=53/udp\n"
		"pc1[bridged]=true\n"
		"pc1[env]=\"GREETING=hello world\"\n"
		"pc1[ipv6]=false\n"
		"pc2[0]=B\n"
		"pc2[image]=/srv/images/debian.ext4\n"
		"pc2[shell]=/bin/bash\n"
		"pc2[num_terms]=0\n"
		"CD_MODE[B]=switch\n";
	struct lab lab;
	char err[256] = "";
	CHECK(parse(text, &lab, err) == 0);
	CHECK(!err[0]);
	CHECK(lab.meta_name && !strcmp(lab.meta_name, "Two LANs"));
	CHECK(lab.meta_author && !strcmp(lab.meta_author, "A. Teacher"));
	CHECK(lab.ndevs == 3);
	struct lab_dev *r1 = lab_find_dev(&lab, "r1"), *pc1 = lab_find_dev(&lab, "pc1"), *pc2 = lab_find_dev(&lab, "pc2");
	CHECK(r1 && pc1 && pc2);
	CHECK(r1->ifs[0].used && !strcmp(r1->ifs[0].cd, "A") && !r1->ifs[0].has_mac);
	CHECK(r1->ifs[1].used && !strcmp(r1->ifs[1].cd, "B") && r1->ifs[1].has_mac);
	CHECK(r1->ifs[1].mac[0] == 0x02 && r1->ifs[1].mac[5] == 0x02);
	CHECK(r1->mem == 256ull << 20);
	CHECK(r1->sysctl.n == 1 && !strcmp(r1->sysctl.v[0], "net.ipv4.ip_forward=1"));
	CHECK(r1->exec.n == 2 && !strcmp(r1->exec.v[0], "echo up > /tmp/up") && !strcmp(r1->exec.v[1], "true"));
	CHECK(pc1->ifs[0].used && !strcmp(pc1->ifs[0].cd, "A"));
	CHECK(pc1->nports == 2);
	CHECK(pc1->ports[0].host == 8080 && pc1->ports[0].guest == 80 && !pc1->ports[0].udp);
	CHECK(pc1->ports[1].host == 0 && pc1->ports[1].guest == 53 && pc1->ports[1].udp);
	CHECK(pc1->bridged && pc1->ipv6 == 0);
	CHECK(pc1->env.n == 1 && !strcmp(pc1->env.v[0], "GREETING=hello world"));
	CHECK(pc2->image && !strcmp(pc2->image, "/srv/images/debian.ext4"));
	CHECK(pc2->shell && !strcmp(pc2->shell, "/bin/bash"));
	CHECK(pc2->num_terms == 0 && pc2->ipv6 == -1 && pc2->mem == 0);
	CHECK(lab.ncds == 2);
	CHECK(lab_find_cd(&lab, "A")->mode == LAB_CD_HUB);
	CHECK(lab_find_cd(&lab, "B")->mode == LAB_CD_SWITCH);
	CHECK(!warned[0]);
	lab_free(&lab);
	CHECK(lab.ndevs == 0 && !lab.devs);
}

static void warnings(void)
{
	struct lab lab;
	char err[256] = "";
	CHECK(parse("a[0]=X\na[cpus]=1.5\n", &lab, err) == 0);
	CHECK(!strcmp(warned, "lab.conf:2: a[cpus]: a Docker option of Kathará's that umk machines do not have: ignored"));
	lab_free(&lab);
	CHECK(parse("a[0]=X\nCD_MODE[Y]=switch\n", &lab, err) == 0);
	CHECK(strstr(warned, "CD_MODE[Y]: no interface is on that collision domain") != NULL);
	lab_free(&lab);
}

static void errors(void)
{
	bad("a[0]=A\nnonsense\n", "lab.conf:2: expected device[arg]=value, CD_MODE[domain]=hub|switch or LAB_NAME=... (no '=')");
	bad("FOO=1\n", "lab.conf:1: FOO: expected device[arg]=value, CD_MODE[domain]=hub|switch or one of LAB_NAME, "
		       "LAB_DESCRIPTION, LAB_VERSION, LAB_AUTHOR, LAB_EMAIL, LAB_WEB");
	bad("a[0=A\n", "lab.conf:1: a[0: expected device[arg] before '='");
	bad("a.b[0]=A\n", "lab.conf:1: a.b: a device name is letters, digits, '_' and '-'");
	bad("a[]=A\n", "lab.conf:1: a[]: expected an interface number or an option inside [ ]");
	bad("a[32]=A\n", "lab.conf:1: a[32]: an interface number is 0 to 31");
	bad("a[0]=A\na[0]=B\n", "lab.conf:2: a[0] is given twice");
	bad("a[0]=A.B\n", "lab.conf:1: a[0]=A.B: a collision domain name is letters, digits, '_' and '-'");
	bad("a[0]=\"A/02:00:00:00:00\"\n", "lab.conf:1: a[0]=A/02:00:00:00:00: expected DOMAIN/MAC with a MAC like 02:42:ac:11:00:02");
	bad("a[0]=A/01:00:5e:00:00:01\n", "lab.conf:1: a[0]=A/01:00:5e:00:00:01: 01:00:5e:00:00:01 is a multicast address");
	bad("a[0]=\"C/vlan=10\"\n", "lab.conf:1: a[0]=C/vlan=10: VLANs need a managed domain, which umk-lab does not have");
	bad("a[0]=tap,10.0.0.1,10.0.0.2\n", "lab.conf:1: a[0]=tap,10.0.0.1,10.0.0.2: Netkit's tap domain is not supported "
					     "(bridged=true gives a device the host's network)");
	bad("a[mem]=2m\n", "lab.conf:1: mem=2m: expected at least 4m");
	bad("a[mem]=12x\n", "lab.conf:1: mem=12x: expected a size such as 256m (suffix b, k, m or g)");
	bad("a[mem]=64m\na[mem]=128m\n", "lab.conf:2: mem is given twice for a");
	bad("a[bridged]=yes\n", "lab.conf:1: bridged=yes: expected true or false");
	bad("a[port]=70000\n", "lab.conf:1: port=70000: guest port: expected 1 to 65535");
	bad("a[port]=0:80\n", "lab.conf:1: port=0:80: host port: expected 1 to 65535");
	bad("a[port]=80/sctp\n", "lab.conf:1: port=80/sctp: protocol sctp: expected tcp or udp");
	bad("a[sysctl]=kernel.pid_max=100\n", "lab.conf:1: sysctl=kernel.pid_max=100: expected net.NAME=VALUE (only net.* sysctls, as Kathará)");
	bad("a[env]=1X=2\n", "lab.conf:1: env=1X=2: expected NAME=VALUE");
	bad("a[num_terms]=many\n", "lab.conf:1: num_terms=many: expected a number from 0 to 64");
	bad("a[image]=x\na[image]=y\n", "lab.conf:2: image is given twice for this device");
	bad("a[exec]=\"unterminated\n", "lab.conf:1: the value's closing \" is missing");
	bad("a[exec]=echo hi\n", "lab.conf:1: a value with spaces must be quoted: echo hi");
	bad("a[frobnicate]=1\n", "lab.conf:1: a[frobnicate]: unknown option (expected an interface number or one of mem, "
				 "image, bridged, port, exec, sysctl, env, shell, num_terms, ipv6)");
	bad("CD_MODE[A]=managed\n", "lab.conf:1: CD_MODE[A]=managed: not supported (hub or switch)");
	bad("CD_MODE[A]=bridge\n", "lab.conf:1: CD_MODE[A]=bridge: expected hub or switch");
}

int main(void)
{
	full_lab();
	warnings();
	errors();
	return check_done("labconf");
}
