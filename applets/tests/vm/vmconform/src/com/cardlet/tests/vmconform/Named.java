package com.cardlet.tests.vmconform;

interface Named {
    short name();
}
