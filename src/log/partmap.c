/*
 * partmap.c — (topic, partition) -> plog hash table and partition directory names
 * (see partmap.h).
 */
#include "log/partmap.h"

#include <string.h>

#include "common/alloc.h"

bool rn__topic_valid(const char *topic) {
    size_t n = strlen(topic);
    if (n == 0 || n > RN__TOPIC_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = topic[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    /* "." and ".." would name the directory itself or its parent. */
    return strcmp(topic, ".") != 0 && strcmp(topic, "..") != 0;
}

bool rn__partdir_parse(const char *name, char *topic, int32_t *partition) {
    const char *dash = strrchr(name, '-');
    if (dash == NULL || dash == name || (size_t)(dash - name) > RN__TOPIC_MAX)
        return false;
    const char *p = dash + 1;
    size_t digits = strlen(p);
    if (digits == 0 || digits > 10 || (p[0] == '0' && digits > 1))
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    if (v > INT32_MAX)
        return false;
    memcpy(topic, name, (size_t)(dash - name));
    topic[dash - name] = '\0';
    *partition = (int32_t)v;
    return rn__topic_valid(topic);
}

static uint64_t hash_of(const char *topic, int32_t partition) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *c = topic; *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211ULL;
    h = (h ^ (uint32_t)partition) * 1099511628211ULL;
    return h ^ (h >> 29);
}

rn__part_t *rn__partmap_get(const rn__partmap_t *map, const char *topic, int32_t partition) {
    if (map->nbuckets == 0)
        return NULL;
    uint64_t h = hash_of(topic, partition);
    for (rn__part_t *e = map->buckets[h & (map->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && e->partition == partition && strcmp(e->topic, topic) == 0)
            return e;
    return NULL;
}

static void grow(rn__partmap_t *map) {
    size_t nb = map->nbuckets ? map->nbuckets * 2 : 64;
    rn__part_t **b = rn_calloc(nb, sizeof *b);
    for (size_t i = 0; i < map->nbuckets; i++) {
        rn__part_t *e = map->buckets[i];
        while (e) {
            rn__part_t *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    rn_free(map->buckets);
    map->buckets = b;
    map->nbuckets = nb;
}

rn__part_t *rn__partmap_put(rn__partmap_t *map, const char *topic, int32_t partition,
                            rn_plog_t *plog) {
    if (map->n >= map->nbuckets)
        grow(map);
    size_t len = strlen(topic);
    rn__part_t *e = rn_malloc(sizeof *e + len + 1);
    memcpy(e->topic, topic, len + 1);
    e->hash = hash_of(topic, partition);
    e->partition = partition;
    e->plog = plog;
    size_t i = e->hash & (map->nbuckets - 1);
    e->next = map->buckets[i];
    map->buckets[i] = e;
    map->n++;
    return e;
}

rn__part_t *rn__partmap_remove(rn__partmap_t *map, const char *topic, int32_t partition) {
    if (map->nbuckets == 0)
        return NULL;
    uint64_t h = hash_of(topic, partition);
    for (rn__part_t **pp = &map->buckets[h & (map->nbuckets - 1)]; *pp; pp = &(*pp)->next) {
        rn__part_t *e = *pp;
        if (e->hash == h && e->partition == partition && strcmp(e->topic, topic) == 0) {
            *pp = e->next;
            map->n--;
            return e;
        }
    }
    return NULL;
}

void rn__partmap_foreach(const rn__partmap_t *map, void (*fn)(rn__part_t *part, void *arg),
                         void *arg) {
    for (size_t i = 0; i < map->nbuckets; i++)
        for (rn__part_t *e = map->buckets[i]; e; e = e->next)
            fn(e, arg);
}

void rn__partmap_deinit(rn__partmap_t *map) {
    for (size_t i = 0; i < map->nbuckets; i++) {
        rn__part_t *e = map->buckets[i];
        while (e) {
            rn__part_t *next = e->next;
            rn_free(e);
            e = next;
        }
    }
    rn_free(map->buckets);
    *map = (rn__partmap_t){0};
}
