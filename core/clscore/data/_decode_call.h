/* What clscore's decoder extensions share: the decoding runs without the GIL, then the buffers are
 * released and a failure becomes ValueError(message), the caller's cue to use its general decoder. */
#ifndef CLSCORE_DECODE_CALL_H
#define CLSCORE_DECODE_CALL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *run_decoder(int (*decode)(void *), void *job, const char *message, Py_buffer *data,
                             Py_buffer *out) {
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = decode(job);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(data);
    PyBuffer_Release(out);
    if (status != 0) {
        PyErr_SetString(PyExc_ValueError, message);
        return NULL;
    }
    Py_RETURN_NONE;
}

#endif
