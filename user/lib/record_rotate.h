/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording bounded in size and in disk use (docs/record.md "Rotation"):
 * the record writer, in parts (FILE.000001, ... recset.h) closed by size or
 * age, the oldest deleted beyond --max-files, and a free-space floor that
 * prunes old parts (when --max-files allows deleting them) or stops the
 * recording with every file complete. Without rotation it writes one file,
 * FILE, as before. Notes go to the FILE * it is handed (lib/ prints nothing
 * else).
 */
#ifndef MEMHP_RECORD_ROTATE_H
#define MEMHP_RECORD_ROTATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "record.h"

/*
 * Free space is checked at every part and after this many bytes written
 * (a statvfs() per ~1000 events), and must exceed the floor by what can be
 * written until the next check: the floor is never crossed.
 */
#define ROT_CHECK_BYTES (256ull << 10)
/* The smallest --max-size: a header, a snapshot and a few events. */
#define ROT_MIN_SIZE (16ull << 10)

struct rot_opts {
	const char *base;   /* -o FILE */
	uint64_t max_size;  /* bytes per part, 0: none */
	int64_t rotate_ns;  /* age of a part, 0: none */
	uint32_t max_files; /* parts kept, 0: all */
	uint64_t min_free;  /* the floor in bytes (min_free_pct 0) */
	unsigned int min_free_pct; /* or percent of the file system, */
	uint64_t min_free_cap;	   /* at most this (0: no cap) */
	FILE *log;	    /* notes: "prog: ..." lines */
	const char *prog;
};

struct rec_rotor {
	struct rot_opts o;
	struct rec_writer w;
	struct rec_info info; /* the session's header; part set per part */
	bool rotating;	      /* parts, not one file */
	bool open;
	uint32_t part, oldest; /* current part, oldest one of ours on disk */
	uint64_t floor;	       /* bytes, resolved at the start */
	uint64_t part_events;
	int64_t part_start_ns; /* CLOCK_MONOTONIC */
	uint64_t lost;	       /* last lost total recorded */
	uint64_t bytes_done;   /* bytes of closed parts */
	uint64_t events_done;  /* events of closed parts */
	uint64_t checked_at;   /* rot_bytes() at the last free-space check */
	uint64_t pruned;       /* parts deleted (max-files or the floor) */
	bool floor_hit;	       /* stopped at the floor (message in @why) */
	char path[PATH_MAX];   /* the file being written */
	char dir[PATH_MAX];    /* its directory, for statvfs */
	char why[PATH_MAX + 160];
};

/* CLOCK_MONOTONIC ns, the age of a part (a test's stand-in). */
extern int64_t (*rot_clock)(void);

static inline bool rot_rotating(const struct rot_opts *o)
{
	return o->max_size || o->rotate_ns || o->max_files;
}

/*
 * Start: remove the parts an earlier recording left under the same name
 * (rotation only), check the floor, open the first file and write @m's
 * snapshot. 0, or -errno with the reason in r->why.
 */
int rot_open(struct rec_rotor *r, const struct rot_opts *o, const struct rec_info *info,
	     const struct memhp_model *m);
/*
 * One event record; @m is the model before it (the next part's snapshot
 * if this event opens one). 0 or -errno (reason in r->why; -ENOSPC: the
 * floor was hit and the recording is closed, complete).
 */
int rot_event(struct rec_rotor *r, const void *payload, uint32_t len,
	      const struct memhp_model *m);
/* The session lost events (total @lost) and resynchronised to @m. */
int rot_lost(struct rec_rotor *r, uint64_t lost, const struct memhp_model *m);
/* Write what is buffered (free space is checked every ROT_CHECK_BYTES). */
int rot_flush(struct rec_rotor *r);
/* Close the current file (flush, fsync). 0 or -errno. */
int rot_close(struct rec_rotor *r);

/* Bytes and events written over all parts. */
static inline uint64_t rot_bytes(const struct rec_rotor *r)
{
	return r->bytes_done + r->w.bytes + r->w.len;
}

static inline uint64_t rot_events(const struct rec_rotor *r)
{
	return r->events_done + r->w.events;
}

#endif
