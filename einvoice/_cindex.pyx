# cython: language_level=3, boundscheck=False
"""The per-document element index of :func:`einvoice.basics.index_tree`, worked out over libxml2's nodes.

Compiled by ``einvoice speedups`` against the lxml it runs with (lxml's public C API: its own element proxies,
its own tag names); without it, ``basics.index_tree`` works the same out in Python, and the tests compare the two.
What it saves is Python's work per element: a tag read from lxml is a new string each time (built from the
namespace and the name), a parent's path number a dictionary look-up by element; here a tag is read once per
distinct (namespace, name) of the document and each element's path number is its parent's, kept on a stack.
"""

from cpython.ref cimport PyObject
from libc.stdint cimport uintptr_t
from libc.string cimport memset

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, elementFactory, import_lxml__etree, namespacedName

import_lxml__etree()

cdef enum:
    SLOTS = 512  # distinct (namespace, name) pairs kept per document (UBL, CII: about a hundred); more: read each time

cdef dict _TAGS = {}  # tag -> the one string of it this process hands out (its hash worked out once)
cdef Py_ssize_t _MAX_TAGS = 20000  # bounded, whatever names documents bring


cdef inline object _interned(object tag):
    found = _TAGS.get(tag)
    if found is not None:
        return found
    if len(_TAGS) < _MAX_TAGS:
        _TAGS[tag] = tag
    return tag


cdef struct _Slot:
    const void* ns
    const void* name
    PyObject* tag  # borrowed: the string is held by the index's lists


def index_tree(_Element root not None, Py_ssize_t path_names):
    """(index, tags, pids, paths, keys) of the element ``root`` and its descendant elements: as ``basics.index_tree``
    works them out in Python."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* cur = top
    cdef tree.xmlNode* nxt
    cdef _Slot slots[SLOTS]
    cdef Py_ssize_t h, probe, depth = 0, parent, pid
    cdef uintptr_t key
    cdef list every = [], tags = [], pids = [], paths = [], stack = [], kids = []
    cdef dict index = {}, of_parent
    cdef set keys = set()
    cdef object tag, el, lst, found
    memset(slots, 0, sizeof(slots))
    doc = root._doc
    while True:
        # the element cur: its tag, once per (namespace, name) of the document
        key = (<uintptr_t>cur.name >> 3) ^ (<uintptr_t>cur.ns >> 4)
        h = key % SLOTS
        tag = None
        for probe in range(8):
            if slots[h].tag == NULL:
                tag = _interned(namespacedName(cur))
                slots[h].ns, slots[h].name, slots[h].tag = <const void*>cur.ns, <const void*>cur.name, <PyObject*>tag
                break
            if slots[h].name == <const void*>cur.name and slots[h].ns == <const void*>cur.ns:
                tag = <object>slots[h].tag
                break
            h = (h + 1) % SLOTS
        if tag is None:  # (the slots near it are taken: read as lxml reads it)
            tag = _interned(namespacedName(cur))
        el = elementFactory(doc, cur)
        every.append(el)
        tags.append(tag)
        lst = index.get(tag)
        if lst is None:
            index[tag] = [el]
        else:
            (<list>lst).append(el)
        # its path number: by its parent's number and its tag
        if depth == 0:
            up = tuple([a.tag for a in reversed(list(el.iterancestors()))])
            names = (up + (tag,))[-path_names:]
            paths.append((len(up) + 1, names))
            kids.append({})
            pid = 0
        else:
            parent = <Py_ssize_t>stack[depth - 1]
            of_parent = <dict>kids[parent]
            found = of_parent.get(tag)
            if found is None:
                pid = len(paths)
                of_parent[tag] = pid
                pdepth, pnames = paths[parent]
                names = (pnames + (tag,))[-path_names:]
                paths.append((pdepth + 1, names))
                keys.add(names[-2:])
                kids.append({})
            else:
                pid = <Py_ssize_t>found
        pids.append(pid)
        if depth < len(stack):
            stack[depth] = pid
        else:
            stack.append(pid)
        # the next element in document order: the first child element, else the next sibling element of cur or
        # of its nearest ancestor below the top that has one (as lxml's iter(): entity references not entered)
        nxt = cur.children
        while nxt != NULL and nxt.type != tree.XML_ELEMENT_NODE:
            nxt = nxt.next
        if nxt != NULL:
            cur = nxt
            depth += 1
            continue
        while True:
            if cur == top:
                cur = NULL
                break
            nxt = cur.next
            while nxt != NULL and nxt.type != tree.XML_ELEMENT_NODE:
                nxt = nxt.next
            if nxt != NULL:
                cur = nxt
                break
            cur = cur.parent
            depth -= 1
        if cur == NULL:
            break
    index[None] = every
    keys.update(index)
    keys.discard(None)
    return index, tags, pids, paths, frozenset(keys)
