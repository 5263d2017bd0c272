/* execve: #! scripts, static, static-PIE and dynamic ELF64 programs, the
 * initial stack (argv, envp, auxv) and the point of no return. */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/vma.h>
#include <umk/pgtable.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <umk/init.h>
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/mman.h>
#include <linux/personality.h>
#include <asm-generic/fcntl.h>

umk_section_declare(const struct exec_hook, umk_exec_hooks);

#define MAX_ARG_STRLEN (128 * 1024)
#define MAX_ARG_TOTAL (2 * 1024 * 1024)
#define MAX_INTERP_DEPTH 4
#define STACK_INIT_SIZE (128 * 1024)

/* argv/envp gathered into kernel memory before the old mm goes away */
struct strvec { int n; size_t bytes; char **s; };

static void strvec_free(struct strvec *v)
{
	for (int i = 0; i < v->n; i++)
		kfree(v->s[i]);
	kfree(v->s);
	v->n = 0;
	v->s = NULL;
}

static int strvec_push(struct strvec *v, const char *s, bool front)
{
	size_t len = strlen(s) + 1;
	if (len > MAX_ARG_STRLEN || v->bytes + len > MAX_ARG_TOTAL)
		return -E2BIG;
	v->s = krealloc(v->s, (v->n + 1) * sizeof(char *));
	if (front) {
		memmove(v->s + 1, v->s, v->n * sizeof(char *));
		v->s[0] = kstrdup(s);
	} else
		v->s[v->n] = kstrdup(s);
	v->n++;
	v->bytes += len;
	return 0;
}

static int strvec_from_user(struct strvec *v, uaddr_t uvec)
{
	if (!uvec)
		return 0;
	char *buf = kmalloc(MAX_ARG_STRLEN);
	int r = 0;
	for (int i = 0;; i++) {
		uint64_t p;
		if (copy_from_user(&p, uvec + 8 * i, 8)) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		long n = strncpy_from_user(buf, p, MAX_ARG_STRLEN);
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -E2BIG : (int)n;
			break;
		}
		if ((r = strvec_push(v, buf, false)))
			break;
	}
	kfree(buf);
	return r;
}

struct loaded {
	uaddr_t entry, phdr, base, load_bias, end_data, start_code, end_code, start_data;
	uint16_t phnum;
};

static int read_exact(struct file *f, void *buf, size_t n, loff_t off)
{
	ssize_t r = kernel_read(f, buf, n, off);
	if (r < 0)
		return (int)r;
	return (size_t)r == n ? 0 : -ENOEXEC;
}

static unsigned long elf_prot(uint32_t pf)
{
	unsigned long p = 0;
	if (pf & PF_R) p |= PROT_READ;
	if (pf & PF_W) p |= PROT_WRITE;
	if (pf & PF_X) p |= PROT_EXEC;
	return p;
}

static int check_ehdr(const Elf64_Ehdr *eh)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > 128)
		return -ENOEXEC;
	return 0;
}

/* Map an ELF image's PT_LOAD segments into mm. bias_hint: where ET_DYN goes. */
static int load_elf(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, Elf64_Phdr *ph, uaddr_t bias_hint,
		    struct loaded *out)
{
	uaddr_t lo = ~0ULL, hi = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || (ph[i].p_offset & (PAGE_SIZE - 1)) != (ph[i].p_vaddr & (PAGE_SIZE - 1)))
			return -ENOEXEC;
		lo = MIN(lo, ph[i].p_vaddr & PAGE_MASK);
		hi = MAX(hi, ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (lo >= hi)
		return -ENOEXEC;
	uaddr_t bias = 0;
	if (eh->e_type == ET_DYN) {
		/* reserve the whole span so segments land together */
		uaddr_t want = bias_hint ? bias_hint : 0;
		long base = do_mmap(mm, want, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
		if (base < 0)
			return (int)base;
		bias = base - lo;
	} else if (hi > TASK_SIZE) {
		return -ENOMEM;
	}
	out->load_bias = bias;
	out->start_code = ~0ULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *p = &ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		uaddr_t va = bias + p->p_vaddr;
		uaddr_t start = va & PAGE_MASK;
		uint64_t off = p->p_offset & PAGE_MASK;
		uaddr_t file_end = va + p->p_filesz;
		uaddr_t mem_end = va + p->p_memsz;
		unsigned long prot = elf_prot(p->p_flags);
		if (p->p_filesz) {
			long r = do_mmap(mm, start, PAGE_ALIGN(file_end) - start, prot, MAP_PRIVATE | MAP_FIXED, f, off);
			if (r < 0)
				return (int)r;
		}
		uaddr_t anon_start = PAGE_ALIGN(file_end);
		if (mem_end > anon_start) {
			long r = do_mmap(mm, anon_start, PAGE_ALIGN(mem_end) - anon_start, prot,
					 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0);
			if (r < 0)
				return (int)r;
		}
		/* zero the tail of the last file page that belongs to .bss */
		if (p->p_memsz > p->p_filesz && (file_end & (PAGE_SIZE - 1))) {
			size_t n = PAGE_SIZE - (file_end & (PAGE_SIZE - 1));
			static const char zero[PAGE_SIZE];
			struct vma *v = find_vma(mm, file_end);
			uint32_t saved = v ? v->flags : 0;
			if (v)
				v->flags |= VM_WRITE;	/* the loader writes even read-only bss */
			long w = access_remote_vm(mm, file_end, (void *)zero, n, true);
			if (v)
				v->flags = saved;
			if (w != (long)n)
				return -EFAULT;
			uint64_t *pte = pte_lookup(mm, file_end & PAGE_MASK, false);
			if (v && pte && (*pte & PTE_PRESENT) && !(saved & VM_WRITE)) {
				*pte &= ~PTE_WRITE;
				arch_mm_protect(mm, file_end & PAGE_MASK, PAGE_SIZE, host_prot_of(v, *pte));
			}
		}
		if (p->p_flags & PF_X) {
			out->start_code = MIN(out->start_code, va);
			out->end_code = MAX(out->end_code, file_end);
		} else {
			if (!out->start_data)
				out->start_data = va;
			out->end_data = MAX(out->end_data, file_end);
		}
		out->base = MAX(out->base, mem_end);
	}
	out->entry = bias + eh->e_entry;
	out->phnum = eh->e_phnum;
	out->phdr = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			out->phdr = bias + ph[i].p_vaddr;
	if (!out->phdr) {
		for (int i = 0; i < eh->e_phnum; i++)
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh->e_phoff &&
			    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
				out->phdr = bias + ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset);
	}
	return 0;
}

static int read_elf(struct file *f, Elf64_Ehdr *eh, Elf64_Phdr **ph)
{
	int r = read_exact(f, eh, sizeof(*eh), 0);
	if (r)
		return r;
	if ((r = check_ehdr(eh)))
		return r;
	*ph = kmalloc(eh->e_phnum * sizeof(Elf64_Phdr));
	if ((r = read_exact(f, *ph, eh->e_phnum * sizeof(Elf64_Phdr), eh->e_phoff))) {
		kfree(*ph);
		return r;
	}
	return 0;
}

/* ASLR: a random offset of bits pages, none under personality(2)'s
 * ADDR_NO_RANDOMIZE (gdb runs programs so: the same addresses each run). */
static uint64_t rand_pages(unsigned bits)
{
	if (current->personality & ADDR_NO_RANDOMIZE)
		return 0;
	uint64_t r;
	get_random_bytes(&r, sizeof(r));
	return (r & ((1ULL << bits) - 1)) << PAGE_SHIFT;
}

/* Does the program's PT_GNU_STACK ask for an executable stack (GCC's
 * nested-function trampolines, -z execstack)? Only the program's header
 * counts, not the interpreter's; without one, x86-64 Linux does not make
 * the stack executable either. */
static bool wants_exec_stack(const Elf64_Ehdr *eh, const Elf64_Phdr *ph)
{
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_STACK)
			return ph[i].p_flags & PF_X;
	return false;
}

/* Build the initial stack; returns the new rsp. */
static long setup_stack(struct mm *mm, const struct cred *c, bool secure, struct strvec *argv, struct strvec *envp, const char *execfn,
			struct loaded *main, struct loaded *interp, bool has_interp, bool exec_stack)
{
	uaddr_t top = TASK_SIZE - PAGE_SIZE - rand_pages(12);
	uaddr_t stack_lo = top - STACK_INIT_SIZE;
	uint32_t flags = VM_READ | VM_WRITE | VM_GROWSDOWN | (exec_stack ? VM_EXEC : 0);
	struct vma *v = vma_new(stack_lo, top, flags, NULL, 0);
	strlcpy(v->name, "[stack]", sizeof(v->name));
	vma_insert(mm, v);
	uaddr_t sp = top;
#define PUSH_BYTES(p, n) ({ sp -= (n); if (access_remote_vm(mm, sp, (void *)(p), (n), true) != (long)(n)) return -EFAULT; sp; })
	uaddr_t u_execfn = PUSH_BYTES(execfn, strlen(execfn) + 1);
	uaddr_t *envs = kmalloc((envp->n + 1) * sizeof(uaddr_t));
	uaddr_t *args = kmalloc((argv->n + 1) * sizeof(uaddr_t));
	mm->env_end = sp;
	for (int i = envp->n - 1; i >= 0; i--)
		envs[i] = PUSH_BYTES(envp->s[i], strlen(envp->s[i]) + 1);
	mm->env_start = sp;
	mm->arg_end = sp;
	for (int i = argv->n - 1; i >= 0; i--)
		args[i] = PUSH_BYTES(argv->s[i], strlen(argv->s[i]) + 1);
	mm->arg_start = sp;
	uint8_t rnd[16];
	get_random_bytes(rnd, sizeof(rnd));
	uaddr_t u_rand = PUSH_BYTES(rnd, 16);
	uaddr_t u_platform = PUSH_BYTES("x86_64", 7);
	sp &= ~15ULL;

	uint64_t auxv[][2] = {
		{ AT_HWCAP, arch_hwcap() },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_CLKTCK, 100 },
		{ AT_PHDR, main->phdr },
		{ AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, main->phnum },
		{ AT_BASE, has_interp ? interp->load_bias : 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, main->entry },
		{ AT_UID, c->uid },
		{ AT_EUID, c->euid },
		{ AT_GID, c->gid },
		{ AT_EGID, c->egid },
		{ AT_SECURE, secure },
		{ AT_RANDOM, u_rand },
		{ AT_HWCAP2, 0 },
		{ AT_EXECFN, u_execfn },
		{ AT_PLATFORM, u_platform },
		{ AT_MINSIGSTKSZ, 3632 },
		{ AT_NULL, 0 },
	};
	size_t nwords = 1 + argv->n + 1 + envp->n + 1 + 2 * ARRAY_SIZE(auxv);
	uint64_t *w = kmalloc(nwords * 8);
	size_t k = 0;
	w[k++] = argv->n;
	for (int i = 0; i < argv->n; i++)
		w[k++] = args[i];
	w[k++] = 0;
	for (int i = 0; i < envp->n; i++)
		w[k++] = envs[i];
	w[k++] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(auxv); i++) {
		w[k++] = auxv[i][0];
		w[k++] = auxv[i][1];
	}
	memcpy(mm->auxv, auxv, MIN(sizeof(auxv), sizeof(mm->auxv)));
	sp -= nwords * 8;
	sp &= ~15ULL;
	long r = access_remote_vm(mm, sp, w, nwords * 8, true) == (long)(nwords * 8) ? (long)sp : -EFAULT;
	mm->start_stack = sp;	/* where argc is, as Linux: /proc/PID/stat, [stack] in maps */
	kfree(w);
	kfree(envs);
	kfree(args);
	return r;
#undef PUSH_BYTES
}

/* Parse "#!interp [arg]" from the first line; 0 and fills out, or -ENOEXEC. */
static int parse_shebang(const char *buf, size_t n, char *interp, size_t isz, char *arg, size_t asz)
{
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	size_t i = 2, end;
	for (end = 2; end < n && buf[end] != '\n'; end++)
		;
	if (end == n && n >= 256)
		return -ENOEXEC;	/* line too long, as Linux (BINPRM_BUF_SIZE) */
	while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	size_t s = i;
	while (i < end && buf[i] != ' ' && buf[i] != '\t')
		i++;
	if (i == s || i - s >= isz)
		return -ENOEXEC;
	memcpy(interp, buf + s, i - s);
	interp[i - s] = 0;
	while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	size_t e = end;
	while (e > i && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\r'))
		e--;
	if (e - i >= asz)
		return -ENOEXEC;
	memcpy(arg, buf + i, e - i);
	arg[e - i] = 0;
	return 0;
}

static void set_comm(struct task *t, const char *path)
{
	const char *b = strrchr(path, '/');
	strlcpy(t->comm, b ? b + 1 : path, sizeof(t->comm));
}

/* Everything after the arguments are in kernel memory. */
static int exec_binprm(const char *path, struct strvec *argv, struct strvec *envp)
{
	struct task *t = current;
	char *cur = kstrdup(path);
	struct file *f = NULL;
	int r;
	char execfn_buf[256];
	strlcpy(execfn_buf, path, sizeof(execfn_buf));
	for (int depth = 0;; depth++) {
		f = filp_open_exec(cur);
		if (IS_ERR(f)) {
			r = (int)PTR_ERR(f);
			f = NULL;
			goto out;
		}
		char buf[256];
		ssize_t n = kernel_read(f, buf, sizeof(buf), 0);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		char interp[128], arg[128];
		if (parse_shebang(buf, n, interp, sizeof(interp), arg, sizeof(arg)) == 0) {
			if (depth >= MAX_INTERP_DEPTH) {
				r = -ELOOP;
				goto out;
			}
			/* argv[0] is replaced by the script path */
			if (argv->n) {
				kfree(argv->s[0]);
				memmove(argv->s, argv->s + 1, (argv->n - 1) * sizeof(char *));
				argv->n--;
			}
			if ((r = strvec_push(argv, cur, true)))
				goto out;
			if (arg[0] && (r = strvec_push(argv, arg, true)))
				goto out;
			if ((r = strvec_push(argv, interp, true)))
				goto out;
			fput(f);
			f = NULL;
			kfree(cur);
			cur = kstrdup(interp);
			continue;
		}
		break;
	}
	Elf64_Ehdr eh, ieh;
	Elf64_Phdr *ph = NULL, *iph = NULL;
	if ((r = read_elf(f, &eh, &ph)))
		goto out;
	struct file *interp_file = NULL;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		if (ph[i].p_filesz < 2 || ph[i].p_filesz > 256) {
			r = -ENOEXEC;
			goto out_ph;
		}
		char ipath[257];
		if ((r = read_exact(f, ipath, ph[i].p_filesz, ph[i].p_offset)))
			goto out_ph;
		ipath[ph[i].p_filesz] = 0;
		if (ipath[ph[i].p_filesz - 1] != 0) {
			r = -ENOEXEC;
			goto out_ph;
		}
		interp_file = filp_open_exec(ipath);
		if (IS_ERR(interp_file)) {
			r = (int)PTR_ERR(interp_file);
			interp_file = NULL;
			goto out_ph;
		}
		if ((r = read_elf(interp_file, &ieh, &iph)))
			goto out_interp;
		break;
	}

	struct mm *mm = mm_alloc();
	if (!mm) {
		r = -ENOMEM;
		goto out_interp;
	}
	mm->mmap_base = TASK_SIZE - (8ULL << 20) - (128ULL << 20) - rand_pages(28);
	struct loaded main = { 0 }, in = { 0 };
	uaddr_t dyn_base = ((TASK_SIZE / 3 * 2) & PAGE_MASK) - rand_pages(22);
	if ((r = load_elf(mm, f, &eh, ph, eh.e_type == ET_DYN ? dyn_base : 0, &main)))
		goto out_mm;
	if (interp_file && (r = load_elf(mm, interp_file, &ieh, iph, 0, &in)))
		goto out_mm;
	mm->start_code = main.start_code;
	mm->end_code = main.end_code;
	mm->start_data = main.start_data;
	mm->end_data = main.end_data;
	mm->start_brk = mm->brk = PAGE_ALIGN(main.base) + rand_pages(13);
	struct cred nc;
	bool secure;
	r = exec_creds(f, &nc, &secure);
	if (r)
		goto out_mm;
	long sp = setup_stack(mm, &nc, secure, argv, envp, execfn_buf, &main, &in, interp_file != NULL, wants_exec_stack(&eh, ph));
	if (sp < 0) {
		r = (int)sp;
		goto out_mm;
	}
	mm->exe_file = get_file(f);
	mm->thp_disable = t->mm->thp_disable;	/* Linux keeps MMF_DISABLE_THP */

	/* Linux's dumpability: a program run with other effective ids than
	 * the real ones is for root alone to trace */
	mm->dumpable = t->cred.euid == t->cred.uid && t->cred.egid == t->cred.gid;

	/* point of no return; the tracer hears the tid it knew (the exec
	 * from a thread takes the leader's) */
	pid_t old_tid = t->pid;
	de_thread();
	struct mm *old = t->mm;
	arch_mm_task_leave(old, t);
	t->mm = mm;
	mm_put(old);
	if (t->flags & PF_VFORK_CHILD) {
		t->flags &= ~PF_VFORK_CHILD;
		t->vfork_done = true;
		wake_up(&t->vfork_wait);
	}
	files_close_on_exec(t->files);
	if (t->sighand->refs > 1) {
		struct sighand *sh = sighand_alloc();
		memcpy(sh->action, t->sighand->action, sizeof(sh->action));
		sighand_put(t->sighand);
		t->sighand = sh;
	}
	flush_signal_handlers(t);
	set_comm(t, execfn_buf);
	exec_commit_creds(&nc, secure);
	arch_task_exec(t);
	t->clear_child_tid = 0;
	struct guest_regs *regs = &t->regs;
	/* a tracer still sees execve's number (not so for init's exec) */
	uint64_t nr = t->in_syscall ? regs->orig_rax : (uint64_t)-1;
	memset(regs, 0, sizeof(*regs));
	regs->rip = interp_file ? in.entry : main.entry;
	regs->rsp = sp;
	regs->cs = 0x33;
	regs->ss = 0x2b;
	regs->eflags = 0x202;
	regs->orig_rax = nr;
	/* what a tracer sees at the exec event stop, before the result */
	if (t->in_syscall)
		regs->rax = (uint64_t)-ENOSYS;
	t->in_syscall = false;
	arch_ptrace_exec(t);
	ptrace_event(PTRACE_EVENT_EXEC, (uint64_t)old_tid);
	umk_section_foreach(const struct exec_hook, umk_exec_hooks, h)
		h->fn(t);
	r = 0;
	goto out_interp;
out_mm:
	mm_put(mm);
out_interp:
	kfree(iph);
	if (interp_file)
		fput(interp_file);
out_ph:
	kfree(ph);
out:
	if (f)
		fput(f);
	kfree(cur);
	return r;
}

int kernel_execve(const char *path, const char *const *argv, const char *const *envp)
{
	struct strvec a = { 0 }, e = { 0 };
	int r = 0;
	for (int i = 0; argv[i] && !r; i++)
		r = strvec_push(&a, argv[i], false);
	for (int i = 0; envp[i] && !r; i++)
		r = strvec_push(&e, envp[i], false);
	if (!r)
		r = exec_binprm(path, &a, &e);
	strvec_free(&a);
	strvec_free(&e);
	return r;
}

static long do_execveat(int dfd, uaddr_t upath, uaddr_t uargv, uaddr_t uenvp, int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	char *path = getname_empty_ok(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (!path[0] && !(flags & AT_EMPTY_PATH)) {
		putname(path);
		return -ENOENT;
	}
	if (path[0] != '/' && dfd != AT_FDCWD) {
		/* resolve relative to the directory (or the file for AT_EMPTY_PATH) */
		struct file *df = fget(dfd);
		if (!df) {
			putname(path);
			return -EBADF;
		}
		struct sbuf sb;
		sbuf_init(&sb);
		file_path(df, &sb);
		fput(df);
		if (path[0])
			sbuf_printf(&sb, "/%s", path);
		putname(path);
		path = kstrdup(sb.buf ? sb.buf : "/");
		sbuf_free(&sb);
	}
	struct strvec a = { 0 }, e = { 0 };
	long r = strvec_from_user(&a, uargv);
	if (!r)
		r = strvec_from_user(&e, uenvp);
	if (!r)
		r = exec_binprm(path, &a, &e);
	strvec_free(&a);
	strvec_free(&e);
	kfree(path);
	return r;
}

SYSCALL_DEFINE3(execve, uaddr_t, path, uaddr_t, argv, uaddr_t, envp)
{
	return do_execveat(AT_FDCWD, path, argv, envp, 0);
}

SYSCALL_DEFINE5(execveat, int, dfd, uaddr_t, path, uaddr_t, argv, uaddr_t, envp, int, flags)
{
	return do_execveat(dfd, path, argv, envp, flags);
}
