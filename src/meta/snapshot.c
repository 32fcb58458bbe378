/*
 * snapshot.c — encode the image as the records that rebuild it, and rebuild it
 * (layout in snapshot.h).
 *
 * The records built for encoding are shallow views of the image (their pointers
 * borrow the image's strings and arrays); they are encoded and dropped, never
 * deinit'ed.
 */
#include "meta/snapshot.h"

#include <string.h>

#include "common/alloc.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "meta/records.h"
#include "proto/reader.h"

void rn_meta_snapshot_encode(const rn_meta_image_t *img, rn_writer_t *wr) {
    size_t n = 0, start = wr->len;
    rn_meta_record_t *recs = rn_calloc(1 + img->nbrokers + img->ntopics, sizeof *recs);
    if (img->has_cluster_id) {
        recs[n].type = RN_MREC_SET_CLUSTER_ID;
        memcpy(recs[n++].cluster_id.id, img->cluster_id, RN_META_ID_LEN);
    }
    for (size_t i = 0; i < img->nbrokers; i++, n++) {
        const rn_meta_broker_t *b = &img->brokers[i];
        recs[n].type = RN_MREC_REGISTER_BROKER;
        recs[n].register_broker.broker_id = b->id;
        recs[n].register_broker.host = b->host;
        recs[n].register_broker.port = b->port;
        recs[n].register_broker.fenced = b->fenced;
    }
    for (size_t i = 0; i < img->ntopics; i++, n++) {
        const rn_meta_topic_t *t = img->topics[i];
        recs[n].type = RN_MREC_CREATE_TOPIC;
        recs[n].create_topic.name = t->name;
        memcpy(recs[n].create_topic.topic_id, t->id, RN_META_ID_LEN);
        recs[n].create_topic.partitions = t->partitions;
        recs[n].create_topic.npartitions = t->npartitions;
        recs[n].create_topic.configs = t->configs;
        recs[n].create_topic.nconfigs = t->nconfigs;
    }
    rn_writer_u32(wr, RN_META_SNAPSHOT_MAGIC);
    rn_writer_i16(wr, RN_META_SNAPSHOT_VERSION);
    rn_meta_entry_encode(recs, n, wr);
    rn_writer_u32(wr, rn_crc32c(wr->buf + start, wr->len - start));
    rn_free(recs);
}

/* Decode and apply every record of the entry at p[0..len) to img. */
static int rebuild(rn_meta_image_t *img, const uint8_t *p, size_t len) {
    rn_meta_entry_iter_t it;
    int32_t count;
    if (rn_meta_entry_open(&it, p, len, &count) != 0)
        return RN_ECORRUPT;
    for (int32_t i = 0; i < count; i++) {
        const uint8_t *body;
        size_t body_len;
        rn_meta_record_t rec;
        if (rn_meta_entry_next(&it, &body, &body_len) != 0 ||
            rn_meta_record_decode(body, body_len, &rec) != 0)
            return RN_ECORRUPT;
        int rc = rn_meta_image_apply(img, &rec);
        rn_meta_record_deinit(&rec);
        if (rc != 0)
            return RN_ECORRUPT;
    }
    return rn_meta_entry_close(&it) == 0 ? 0 : RN_ECORRUPT;
}

int rn_meta_snapshot_decode(const void *p, size_t len, rn_meta_image_t **out) {
    const uint8_t *b = p;
    rn_reader_t rd;
    *out = NULL;
    if (len < 4 + 2 + 4)
        return RN_ECORRUPT;
    rn_reader_init(&rd, b + len - 4, 4);
    if (rn_reader_u32(&rd) != rn_crc32c(b, len - 4))
        return RN_ECORRUPT;
    rn_reader_init(&rd, b, len - 4);
    uint32_t magic = rn_reader_u32(&rd);
    int16_t version = rn_reader_i16(&rd);
    if (rd.err || magic != RN_META_SNAPSHOT_MAGIC || version != RN_META_SNAPSHOT_VERSION)
        return RN_ECORRUPT;
    rn_meta_image_t *img = rn_meta_image_new();
    int rc = rebuild(img, b + rd.pos, len - 4 - rd.pos);
    if (rc != 0) {
        rn_meta_image_free(img);
        return rc;
    }
    *out = img;
    return 0;
}
