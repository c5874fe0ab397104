package com.cardlet.tests.vmconform;

interface Counted {
    short count();
}
