// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded recording (record_rotate.h): parts by size or age, the
 * oldest pruned beyond max_files, a free-space floor checked at every part
 * and every ROT_CHECK_BYTES written. Each part is a complete record file
 * that starts with the model's snapshot (and the lost count so far), so a
 * part replays alone and a set whose oldest parts were pruned still
 * starts from a known state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diskfree.h"
#include "record_rotate.h"
#include "recset.h"

#define MIB(b) ((double)(b) / (1 << 20))

static int64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t (*rot_clock)(void) = mono_ns;

int rot_close(struct rec_rotor *r);

static void note(struct rec_rotor *r, const char *what, const char *path)
{
	if (r->o.log)
		fprintf(r->o.log, "%s: %s%s\n", r->o.prog ? r->o.prog : "memhp", what, path);
}

static void set_dir(struct rec_rotor *r)
{
	const char *slash = strrchr(r->o.base, '/');

	if (!slash)
		snprintf(r->dir, sizeof(r->dir), ".");
	else if (slash == r->o.base)
		snprintf(r->dir, sizeof(r->dir), "/");
	else
		snprintf(r->dir, sizeof(r->dir), "%.*s", (int)(slash - r->o.base), r->o.base);
}

static uint64_t session_id(void)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id) || !id)
		id = (uint64_t)clock_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32) ^ 1;
	return id;
}

/* Only files that are record files are ever deleted. */
static bool is_record_file(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	     !memcmp(magic, REC_MAGIC, sizeof(magic));
	close(fd);
	return ok;
}

/* -o FILE overwrites FILE; with rotation, the parts of an earlier run
 * under that name would otherwise mix into this set. */
static int remove_stale(struct rec_rotor *r)
{
	struct recset_file *v;
	size_t n, i;
	int ret;

	ret = recset_list(r->o.base, &v, &n, r->why, sizeof(r->why));
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (!is_record_file(v[i].path)) {
			snprintf(r->why, sizeof(r->why),
				 "%s is not a memhp record file: not removing it (choose another -o)",
				 v[i].path);
			recset_free(v, n);
			return -EEXIST;
		}
	}
	for (i = 0; i < n; i++) {
		if (unlink(v[i].path) && errno != ENOENT) {
			ret = -errno;
			snprintf(r->why, sizeof(r->why), "%s: %s", v[i].path, strerror(errno));
			recset_free(v, n);
			return ret;
		}
	}
	if (n && r->o.log)
		fprintf(r->o.log, "%s: removed %zu parts of an earlier recording %s.*\n",
			r->o.prog, n, r->o.base);
	recset_free(v, n);
	return 0;
}

static void prune_one(struct rec_rotor *r, const char *why)
{
	char path[PATH_MAX];

	if (!recset_part_name(path, sizeof(path), r->o.base, r->oldest) &&
	    (!unlink(path) || errno == ENOENT)) {
		r->pruned++;
		if (why)
			note(r, why, path);
	}
	r->oldest++;
}

/*
 * Free space against the floor, with room for what may be written before
 * the next check (ROT_CHECK_BYTES, what is buffered, and @extra: the next
 * part's snapshot), so that the floor itself is never crossed: prune older
 * parts (only where max_files says parts may be deleted, never @keep or
 * newer), else stop. 0 or -ENOSPC (reason in r->why).
 */
static int space_check(struct rec_rotor *r, uint32_t keep, uint64_t extra)
{
	struct diskfree df;
	uint64_t need;

	r->checked_at = rot_bytes(r);
	if (!r->floor)
		return 0; /* --min-free 0: only a write error stops */
	need = r->floor + ROT_CHECK_BYTES + extra + (r->open ? r->w.len : 0);
	for (;;) {
		if (diskfree_get(r->dir, &df))
			return 0; /* cannot tell: a write error is still handled */
		if (df.avail >= need)
			return 0;
		if (!r->rotating || !r->o.max_files || r->oldest >= keep)
			break;
		prune_one(r, "below the free-space floor (--min-free): removed ");
	}
	r->floor_hit = true;
	snprintf(r->why, sizeof(r->why),
		 "stopped: %s has %.2f MiB free, and the next %.2f MiB would take it below the "
		 "floor of %.2f MiB (--min-free)%s; %s ends with its last whole record",
		 r->dir, MIB(df.avail), MIB(need - r->floor), MIB(r->floor),
		 r->rotating && r->o.max_files ? " with no older part left to remove"
		 : r->rotating ? " and --max-files does not allow removing parts" : "",
		 r->path);
	return -ENOSPC;
}

/* The check every ROT_CHECK_BYTES: at the floor, close the file whole. */
static int periodic_check(struct rec_rotor *r)
{
	char why[sizeof(r->why)];
	int ret, cret;

	if (rot_bytes(r) - r->checked_at < ROT_CHECK_BYTES)
		return 0;
	ret = space_check(r, r->part, 0);
	if (!ret)
		return 0;
	memcpy(why, r->why, sizeof(why));
	cret = rot_close(r);
	if (!cret)
		memcpy(r->why, why, sizeof(why));
	return cret ? cret : ret;
}

/* What a part's first records take: the lost count and the snapshot. */
static uint64_t part_start_bytes(const struct memhp_model *m)
{
	return REC_HEADER_SIZE + 2 * REC_RECORD_HDR + 8 + 8 + (uint64_t)m->nr_blocks * REC_SNAP_ENTRY;
}

static int write_err(struct rec_rotor *r, int ret)
{
	if (ret == -E2BIG)
		snprintf(r->why, sizeof(r->why), "%s: the sysfs snapshot exceeds the 16 MiB record limit",
			 r->path);
	else
		snprintf(r->why, sizeof(r->why),
			 "%s: %s; the file ends with its last whole record (%llu bytes)", r->path,
			 strerror(-ret), (unsigned long long)r->w.bytes);
	return ret;
}

static int open_part(struct rec_rotor *r, const struct memhp_model *m)
{
	int ret;

	if (r->rotating) {
		if (recset_part_name(r->path, sizeof(r->path), r->o.base, r->part)) {
			snprintf(r->why, sizeof(r->why), "%s: name too long", r->o.base);
			return -ENAMETOOLONG;
		}
	} else {
		snprintf(r->path, sizeof(r->path), "%s", r->o.base);
	}
	r->info.part = r->rotating ? r->part : 0;
	r->info.session = r->rotating ? r->info.session : 0;
	/*
	 * A part's name is predictable: in a shared directory someone could
	 * plant a symbolic link there for root to truncate. Stale parts were
	 * removed at the start, so a part never exists already: refuse one
	 * that does, and links.
	 */
	ret = rec_writer_open_flags(&r->w, r->path, &r->info,
				    r->rotating ? O_EXCL | O_NOFOLLOW : O_TRUNC, r->why,
				    sizeof(r->why));
	if (ret)
		return ret;
	r->open = true;
	r->part_events = 0;
	if (r->o.rotate_ns)
		r->part_start_ns = rot_clock();
	/* every part starts from a known state: the lost count, the model */
	if (r->lost && (ret = rec_write_lost(&r->w, r->lost)))
		return write_err(r, ret);
	ret = rec_write_snapshot(&r->w, m);
	if (ret)
		return write_err(r, ret);
	/* the newest max_files parts stay, this one included */
	while (r->rotating && r->o.max_files && r->part - r->oldest >= r->o.max_files)
		prune_one(r, NULL);
	return 0;
}

int rot_open(struct rec_rotor *r, const struct rot_opts *o, const struct rec_info *info,
	     const struct memhp_model *m)
{
	struct diskfree df;
	int ret;

	memset(r, 0, sizeof(*r));
	r->w.fd = -1;
	r->o = *o;
	r->info = *info;
	r->rotating = rot_rotating(o);
	set_dir(r);
	snprintf(r->path, sizeof(r->path), "%s", o->base);
	ret = diskfree_get(r->dir, &df);
	if (ret) {
		/* the directory is missing or unreadable: as open(2) would say */
		snprintf(r->why, sizeof(r->why), "%s: %s", o->base, strerror(-ret));
		return ret;
	}
	r->floor = diskfree_floor(&df, o->min_free, o->min_free_pct, o->min_free_cap);
	if (r->rotating) {
		r->info.session = session_id();
		r->part = r->oldest = 1;
		ret = remove_stale(r);
		if (ret)
			return ret;
	}
	ret = space_check(r, r->part, part_start_bytes(m));
	if (ret) {
		snprintf(r->why, sizeof(r->why),
			 "not starting: %s has %.2f MiB free, not above the floor of %.2f MiB "
			 "(--min-free) by the %.2f MiB written until the next check",
			 r->dir, MIB(df.avail), MIB(r->floor),
			 MIB(ROT_CHECK_BYTES + part_start_bytes(m)));
		return ret;
	}
	return open_part(r, m);
}

int rot_close(struct rec_rotor *r)
{
	int had = r->w.err; /* already said in r->why */
	int ret;

	if (!r->open)
		return 0;
	ret = rec_writer_close(&r->w);
	r->open = false;
	r->bytes_done += r->w.bytes;
	r->events_done += r->w.events;
	r->w.bytes = r->w.events = r->w.len = 0;
	if (ret && !had)
		snprintf(r->why, sizeof(r->why), "%s: %s", r->path, strerror(-ret));
	return ret;
}

static int rotate(struct rec_rotor *r, const struct memhp_model *m)
{
	int ret = rot_close(r);

	if (ret)
		return ret;
	/* with --max-files 1 the part just closed goes when the next one
	 * opens anyway: it may go now */
	ret = space_check(r, r->o.max_files == 1 ? r->part + 1 : r->part, part_start_bytes(m));
	if (ret)
		return ret;
	r->part++;
	return open_part(r, m);
}

int rot_event(struct rec_rotor *r, const void *payload, uint32_t len,
	      const struct memhp_model *m)
{
	int ret;

	if (!r->open)
		return -EBADF;
	if (r->rotating && r->part_events &&
	    ((r->o.max_size && r->w.bytes + r->w.len + REC_RECORD_HDR + len > r->o.max_size) ||
	     (r->o.rotate_ns && rot_clock() - r->part_start_ns >= r->o.rotate_ns))) {
		ret = rotate(r, m);
		if (ret)
			return ret;
	}
	ret = rec_write(&r->w, REC_EVENT, payload, len);
	if (ret)
		return write_err(r, ret);
	r->part_events++;
	return periodic_check(r);
}

int rot_lost(struct rec_rotor *r, uint64_t lost, const struct memhp_model *m)
{
	int ret;

	if (!r->open)
		return -EBADF;
	r->lost = lost;
	ret = rec_write_lost(&r->w, lost);
	if (!ret)
		ret = rec_write_snapshot(&r->w, m);
	return ret ? write_err(r, ret) : 0;
}

int rot_flush(struct rec_rotor *r)
{
	int ret;

	if (!r->open)
		return -EBADF;
	ret = rec_flush(&r->w);
	if (ret)
		return write_err(r, ret);
	return periodic_check(r);
}
