/* What clscore's decoder extensions share: the decoding runs without the GIL, then the buffers are
 * released and a failure becomes ValueError(message), the caller's cue to use its general decoder. */
#ifndef CLSCORE_DECODE_CALL_H
#define CLSCORE_DECODE_CALL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

/* What every decoding job has, as its first member: the encoded bytes, the output buffer, and the
 * message of a failure. */
typedef struct {
    const unsigned char *data;
    size_t size;
    unsigned char *out;
    size_t out_size;
    char message[200];
} Buffers;

/* Fill `io` from the Python buffers, run `decode(job)` (whose first member is `io`), release both. */
static PyObject *run_decoder(int (*decode)(void *), void *job, Buffers *io, Py_buffer *data, Py_buffer *out) {
    io->data = (const unsigned char *)data->buf;
    io->size = (size_t)data->len;
    io->out = (unsigned char *)out->buf;
    io->out_size = (size_t)out->len;
    io->message[0] = '\0';
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = decode(job);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(data);
    PyBuffer_Release(out);
    if (status != 0) {
        PyErr_SetString(PyExc_ValueError, io->message);
        return NULL;
    }
    Py_RETURN_NONE;
}

#endif
